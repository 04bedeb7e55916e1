// The symbols a logical-flow match may name, as OVN 23.03 defines them (lib/logical-fields.c of that release).
// The differential test pins names, widths and levels with per-symbol probes against the installed ovn-trace,
// and prerequisites and predicate expansions with its contradiction cases; subfield bit positions were read
// off ovn-trace's rendering of microflows (flags.skip_snat_for_lb is reg10 bit 9, and so on).
//
// Level decides which comparisons OVN accepts: ordinal fields (maskable in OpenFlow) take every relational
// operator and bit ranges; nominal fields and predicates only `==`/`!=`, and a nominal predicate only in the
// positive sense; Boolean predicates may be negated.

export type FieldType = 'integer' | 'mac' | 'ipv4' | 'ipv6' | 'string' | 'boolean';
export type FieldLevel = 'ordinal' | 'nominal' | 'boolean';
export type FieldKind = 'field' | 'subfield' | 'predicate' | 'ovnField';

export interface FieldInfo {
  readonly name: string;
  readonly kind: FieldKind;
  /** Bits; 0 for the string fields inport and outport. Predicates are 1 bit wide. */
  readonly width: number;
  readonly type: FieldType;
  readonly level: FieldLevel;
  /** What OVN adds (ANDs) to a match that mentions the symbol, as match text. */
  readonly prerequisite?: string;
  /** For a predicate, the expression it stands for. */
  readonly expansion?: string;
  /** For a subfield, the bits of the field it overlays. */
  readonly parent?: { readonly name: string; readonly low: number; readonly high: number };
  /** Filled in by connection tracking (ct_next/ct_commit), so meaningless on traffic that skips conntrack. */
  readonly conntrack: boolean;
  readonly description: string;
}

type Spec = Omit<FieldInfo, 'name' | 'conntrack'> & { conntrack?: boolean };

function field(width: number, type: FieldType, level: FieldLevel, description: string, prerequisite?: string): Spec {
  return prerequisite === undefined
    ? { kind: 'field', width, type, level, description }
    : { kind: 'field', width, type, level, description, prerequisite };
}

function sub(
  parent: string,
  low: number,
  high: number,
  type: FieldType,
  description: string,
  prerequisite?: string,
): Spec {
  const spec: Spec = {
    kind: 'subfield',
    width: high - low + 1,
    type,
    level: 'ordinal',
    parent: { name: parent, low, high },
    description,
  };
  return prerequisite === undefined ? spec : { ...spec, prerequisite };
}

function pred(expansion: string, level: 'nominal' | 'boolean', description: string): Spec {
  return { kind: 'predicate', width: 1, type: 'boolean', level, expansion, description };
}

const ct = (spec: Spec): Spec => ({ ...spec, conntrack: true });

const SPECS: Record<string, Spec> = {
  inport: field(0, 'string', 'nominal', 'Logical input port (a logical port name).'),
  outport: field(0, 'string', 'nominal', 'Logical output port (a logical port or multicast group name).'),

  xxreg0: field(128, 'integer', 'ordinal', '128-bit register overlaying reg0..reg3 (reg0 most significant).'),
  xxreg1: field(128, 'integer', 'ordinal', '128-bit register overlaying reg4..reg7 (reg4 most significant).'),
  xreg0: sub('xxreg0', 64, 127, 'integer', '64-bit register: reg0 and reg1.'),
  xreg1: sub('xxreg0', 0, 63, 'integer', '64-bit register: reg2 and reg3.'),
  xreg2: sub('xxreg1', 64, 127, 'integer', '64-bit register: reg4 and reg5.'),
  xreg3: sub('xxreg1', 0, 63, 'integer', '64-bit register: reg6 and reg7.'),
  xreg4: field(64, 'integer', 'ordinal', '64-bit register: reg8 and reg9.'),
  reg0: sub('xxreg0', 96, 127, 'integer', '32-bit logical register 0.'),
  reg1: sub('xxreg0', 64, 95, 'integer', '32-bit logical register 1.'),
  reg2: sub('xxreg0', 32, 63, 'integer', '32-bit logical register 2.'),
  reg3: sub('xxreg0', 0, 31, 'integer', '32-bit logical register 3.'),
  reg4: sub('xxreg1', 96, 127, 'integer', '32-bit logical register 4.'),
  reg5: sub('xxreg1', 64, 95, 'integer', '32-bit logical register 5.'),
  reg6: sub('xxreg1', 32, 63, 'integer', '32-bit logical register 6.'),
  reg7: sub('xxreg1', 0, 31, 'integer', '32-bit logical register 7.'),
  reg8: sub('xreg4', 32, 63, 'integer', '32-bit logical register 8.'),
  reg9: sub('xreg4', 0, 31, 'integer', '32-bit logical register 9.'),

  flags: field(32, 'integer', 'ordinal', 'Logical flags used between pipeline stages.'),
  'flags.loopback': sub('flags', 0, 0, 'boolean', 'Allow the packet to be output to its input port.'),
  'flags.force_snat_for_dnat': sub('flags', 2, 2, 'boolean', 'Force SNAT of traffic that was DNATed.'),
  'flags.force_snat_for_lb': sub('flags', 3, 3, 'boolean', 'Force SNAT of load-balanced traffic.'),
  'flags.skip_snat_for_lb': sub('flags', 9, 9, 'boolean', 'Skip SNAT of load-balanced traffic.'),
  'flags.use_snat_zone': sub('flags', 11, 11, 'boolean', 'Use the SNAT conntrack zone.'),

  ct_mark: ct(field(32, 'integer', 'ordinal', 'Connection tracking mark.')),
  'ct_mark.blocked': ct(sub('ct_mark', 0, 0, 'boolean', 'Connection was blocked by a later ACL change.')),
  'ct_mark.natted': ct(sub('ct_mark', 1, 1, 'boolean', 'Connection was NATed.')),
  'ct_mark.skip_snat': ct(sub('ct_mark', 2, 2, 'boolean', 'Connection skips SNAT.')),
  'ct_mark.force_snat': ct(sub('ct_mark', 3, 3, 'boolean', 'Connection is forced through SNAT.')),
  'ct_mark.ecmp_reply_port': ct(sub('ct_mark', 16, 31, 'integer', 'Tunnel key of the ECMP reply port.')),
  ct_label: ct(field(128, 'integer', 'ordinal', 'Connection tracking label.')),
  'ct_label.blocked': ct(sub('ct_label', 0, 0, 'boolean', 'Legacy location of ct_mark.blocked.')),
  'ct_label.natted': ct(sub('ct_label', 1, 1, 'boolean', 'Legacy location of ct_mark.natted.')),
  'ct_label.skip_snat': ct(sub('ct_label', 2, 2, 'boolean', 'Legacy location of ct_mark.skip_snat.')),
  'ct_label.force_snat': ct(sub('ct_label', 3, 3, 'boolean', 'Legacy location of ct_mark.force_snat.')),
  'ct_label.ecmp_reply_eth': ct(sub('ct_label', 32, 79, 'mac', 'Ethernet address of the ECMP reply next hop.')),
  'ct_label.ecmp_reply_port': ct(sub('ct_label', 80, 95, 'integer', 'Legacy location of the ECMP reply port.')),
  'ct_label.label': ct(sub('ct_label', 96, 127, 'integer', 'The ACL label of the connection.')),
  ct_state: ct(field(32, 'integer', 'ordinal', 'Connection tracking state bits (see ct.*).')),
  'ct.new': ct(sub('ct_state', 0, 0, 'boolean', 'New connection.', 'ct.trk')),
  'ct.est': ct(sub('ct_state', 1, 1, 'boolean', 'Established connection.', 'ct.trk')),
  'ct.rel': ct(sub('ct_state', 2, 2, 'boolean', 'Related to an existing connection.', 'ct.trk')),
  'ct.rpl': ct(sub('ct_state', 3, 3, 'boolean', 'Reply direction.', 'ct.trk')),
  'ct.inv': ct(sub('ct_state', 4, 4, 'boolean', 'Invalid connection tracking state.', 'ct.trk')),
  'ct.trk': ct(sub('ct_state', 5, 5, 'boolean', 'Connection tracking has run on the packet.')),
  'ct.snat': ct(sub('ct_state', 6, 6, 'boolean', 'Source address was translated.', 'ct.trk')),
  'ct.dnat': ct(sub('ct_state', 7, 7, 'boolean', 'Destination address was translated.', 'ct.trk')),

  'eth.src': field(48, 'mac', 'ordinal', 'Ethernet source address.'),
  'eth.dst': field(48, 'mac', 'ordinal', 'Ethernet destination address.'),
  'eth.type': field(16, 'integer', 'nominal', 'Ethernet type.'),
  'eth.bcast': pred('eth.dst == ff:ff:ff:ff:ff:ff', 'boolean', 'Ethernet broadcast destination.'),
  'eth.mcast': sub('eth.dst', 40, 40, 'boolean', 'Ethernet multicast (or broadcast) destination.'),
  'eth.mcastv6': pred('eth.dst[32..47] == 0x3333', 'boolean', 'Ethernet destination in the IPv6 multicast range.'),

  'vlan.tci': field(16, 'integer', 'ordinal', '802.1Q tag control information.'),
  'vlan.present': pred('vlan.tci[12]', 'boolean', 'The packet has an 802.1Q header.'),
  'vlan.pcp': sub('vlan.tci', 13, 15, 'integer', '802.1Q priority.', 'vlan.present'),
  'vlan.vid': sub('vlan.tci', 0, 11, 'integer', '802.1Q VLAN ID.', 'vlan.present'),

  ip4: pred('eth.type == 0x800', 'nominal', 'IPv4 packet.'),
  ip6: pred('eth.type == 0x86dd', 'nominal', 'IPv6 packet.'),
  ip: pred('ip4 || ip6', 'nominal', 'IPv4 or IPv6 packet.'),
  'ip.proto': field(8, 'integer', 'nominal', 'IP protocol number.', 'ip'),
  'ip.dscp': field(6, 'integer', 'nominal', 'IP DSCP.', 'ip'),
  'ip.ecn': field(2, 'integer', 'nominal', 'IP ECN bits.', 'ip'),
  'ip.ttl': field(8, 'integer', 'nominal', 'IP TTL (IPv6 hop limit).', 'ip'),
  'ip.frag': field(2, 'integer', 'ordinal', 'IP fragment bits: bit 0 any fragment, bit 1 later fragment.', 'ip'),
  'ip.is_frag': pred('ip.frag[0]', 'boolean', 'Any IP fragment.'),
  'ip.later_frag': pred('ip.frag[1]', 'boolean', 'A non-first IP fragment.'),
  'ip.first_frag': pred('ip.is_frag && !ip.later_frag', 'boolean', 'The first fragment of a fragmented packet.'),

  'ip4.src': field(32, 'ipv4', 'ordinal', 'IPv4 source address.', 'ip4'),
  'ip4.dst': field(32, 'ipv4', 'ordinal', 'IPv4 destination address.', 'ip4'),
  'ip4.src_mcast': pred('ip4.src[28..31] == 0xe', 'boolean', 'IPv4 multicast source address.'),
  'ip4.mcast': pred('eth.mcast && ip4.dst[28..31] == 0xe', 'boolean', 'IPv4 multicast destination.'),
  icmp4: pred('ip4 && ip.proto == 1', 'nominal', 'ICMPv4 packet.'),
  'icmp4.type': field(8, 'integer', 'nominal', 'ICMPv4 type.', 'icmp4'),
  'icmp4.code': field(8, 'integer', 'nominal', 'ICMPv4 code.', 'icmp4'),
  igmp: pred('ip4 && ip.proto == 2', 'nominal', 'IGMP packet.'),

  'ip6.src': field(128, 'ipv6', 'ordinal', 'IPv6 source address.', 'ip6'),
  'ip6.dst': field(128, 'ipv6', 'ordinal', 'IPv6 destination address.', 'ip6'),
  'ip6.label': field(20, 'integer', 'ordinal', 'IPv6 flow label.', 'ip6'),
  'ip6.mcast_rsvd': pred(
    'ip6.dst[116..127] == 0xff0 && ip6.dst[0..111] == 0x0',
    'boolean',
    'Reserved IPv6 multicast group.',
  ),
  'ip6.mcast_all_nodes': pred('ip6.dst == ff01::1 || ip6.dst == ff02::1', 'boolean', 'IPv6 all-nodes multicast.'),
  'ip6.mcast_all_rtrs': pred(
    'ip6.dst == ff01::2 || ip6.dst == ff02::2 || ip6.dst == ff05::2',
    'boolean',
    'IPv6 all-routers multicast.',
  ),
  'ip6.mcast_sol_node': pred('ip6.dst == ff02::1:ff00:0000/104', 'boolean', 'IPv6 solicited-node multicast.'),
  'ip6.mcast_flood': pred(
    'eth.mcastv6 && (ip6.mcast_rsvd || ip6.mcast_all_nodes || ip6.mcast_all_rtrs || ip6.mcast_sol_node)',
    'boolean',
    'IPv6 multicast that is always flooded.',
  ),
  'ip6.mcast': pred('eth.mcastv6 && ip6.dst[120..127] == 0xff', 'boolean', 'IPv6 multicast destination.'),
  icmp6: pred('ip6 && ip.proto == 58', 'nominal', 'ICMPv6 packet.'),
  'icmp6.type': field(8, 'integer', 'nominal', 'ICMPv6 type.', 'icmp6'),
  'icmp6.code': field(8, 'integer', 'nominal', 'ICMPv6 code.', 'icmp6'),
  icmp: pred('icmp4 || icmp6', 'nominal', 'ICMPv4 or ICMPv6 packet.'),

  arp: pred('eth.type == 0x806', 'nominal', 'ARP packet.'),
  'arp.op': field(16, 'integer', 'nominal', 'ARP opcode (1 request, 2 reply).', 'arp'),
  'arp.spa': field(32, 'ipv4', 'ordinal', 'ARP sender protocol (IPv4) address.', 'arp'),
  'arp.sha': field(48, 'mac', 'ordinal', 'ARP sender hardware address.', 'arp'),
  'arp.tpa': field(32, 'ipv4', 'ordinal', 'ARP target protocol (IPv4) address.', 'arp'),
  'arp.tha': field(48, 'mac', 'ordinal', 'ARP target hardware address.', 'arp'),
  rarp: pred('eth.type == 0x8035', 'nominal', 'RARP packet.'),
  'rarp.op': field(16, 'integer', 'nominal', 'RARP opcode.', 'rarp'),
  'rarp.spa': field(32, 'ipv4', 'ordinal', 'RARP sender protocol address.', 'rarp'),
  'rarp.sha': field(48, 'mac', 'ordinal', 'RARP sender hardware address.', 'rarp'),
  'rarp.tpa': field(32, 'ipv4', 'ordinal', 'RARP target protocol address.', 'rarp'),
  'rarp.tha': field(48, 'mac', 'ordinal', 'RARP target hardware address.', 'rarp'),

  nd: pred(
    'icmp6.type == {135, 136} && icmp6.code == 0 && ip.ttl == 255',
    'nominal',
    'IPv6 neighbor solicitation or advertisement.',
  ),
  nd_ns: pred('icmp6.type == 135 && icmp6.code == 0 && ip.ttl == 255', 'nominal', 'IPv6 neighbor solicitation.'),
  nd_na: pred('icmp6.type == 136 && icmp6.code == 0 && ip.ttl == 255', 'nominal', 'IPv6 neighbor advertisement.'),
  nd_rs: pred('icmp6.type == 133 && icmp6.code == 0 && ip.ttl == 255', 'nominal', 'IPv6 router solicitation.'),
  nd_ra: pred('icmp6.type == 134 && icmp6.code == 0 && ip.ttl == 255', 'nominal', 'IPv6 router advertisement.'),
  'nd.target': field(128, 'ipv6', 'ordinal', 'Neighbor discovery target address.', 'nd'),
  'nd.sll': field(48, 'mac', 'ordinal', 'Neighbor solicitation source link-layer address.', 'nd_ns'),
  'nd.tll': field(48, 'mac', 'ordinal', 'Neighbor advertisement target link-layer address.', 'nd_na'),
  mldv1: pred('ip6.src == fe80::/10 && icmp6.type == {130, 131, 132}', 'nominal', 'MLDv1 query, report or done.'),
  mldv2: pred('ip6.dst == ff02::16 && icmp6.type == 143', 'nominal', 'MLDv2 report.'),

  tcp: pred('ip.proto == 6', 'nominal', 'TCP packet.'),
  'tcp.src': field(16, 'integer', 'ordinal', 'TCP source port.', 'tcp'),
  'tcp.dst': field(16, 'integer', 'ordinal', 'TCP destination port.', 'tcp'),
  'tcp.flags': field(12, 'integer', 'ordinal', 'TCP flags.', 'tcp'),
  udp: pred('ip.proto == 17', 'nominal', 'UDP packet.'),
  'udp.src': field(16, 'integer', 'ordinal', 'UDP source port.', 'udp'),
  'udp.dst': field(16, 'integer', 'ordinal', 'UDP destination port.', 'udp'),
  sctp: pred('ip.proto == 132', 'nominal', 'SCTP packet.'),
  'sctp.src': field(16, 'integer', 'ordinal', 'SCTP source port.', 'sctp'),
  'sctp.dst': field(16, 'integer', 'ordinal', 'SCTP destination port.', 'sctp'),

  'pkt.mark': field(32, 'integer', 'ordinal', 'Packet mark (skb mark).'),

  // OVN fields exist for actions; OVN 23.03 still parses them in a match as nominal fields.
  'icmp4.frag_mtu': {
    kind: 'ovnField',
    width: 16,
    type: 'integer',
    level: 'nominal',
    description: 'ICMPv4 next-hop MTU (for actions).',
  },
  'icmp6.frag_mtu': {
    kind: 'ovnField',
    width: 32,
    type: 'integer',
    level: 'nominal',
    description: 'ICMPv6 MTU (for actions).',
  },
};

/** Every symbol a match may use, in catalog order. */
export const MATCH_FIELDS: readonly FieldInfo[] = Object.entries(SPECS).map(([name, spec]) => ({
  ...spec,
  name,
  conntrack: spec.conntrack ?? false,
}));

const BY_NAME = new Map(MATCH_FIELDS.map((f) => [f.name, f]));

export function lookupField(name: string): FieldInfo | undefined {
  return BY_NAME.get(name);
}

/** The one function a match may call. */
export const MATCH_FUNCTIONS: readonly { readonly name: string; readonly description: string }[] = [
  { name: 'is_chassis_resident', description: 'True on the chassis where the quoted logical port resides.' },
];
