// Lookups over an NbSnapshot that every rule needs, built once per snapshot object.
import type { MatchContext } from '../match/context.js';
import { formatIpv4 } from '../net/ipv4.js';
import { formatIpv6 } from '../net/ipv6.js';
import { parseLspAddress } from '../net/addresses.js';
import type {
  AclOwner,
  AclRow,
  AddressSetRow,
  LogicalSwitchPortRow,
  LogicalSwitchRow,
  NbSnapshot,
  PortGroupRow,
} from './types.js';

export interface SnapshotIndex {
  readonly snapshot: NbSnapshot;
  readonly acls: ReadonlyMap<string, AclRow>;
  readonly switches: ReadonlyMap<string, LogicalSwitchRow>;
  readonly ports: ReadonlyMap<string, LogicalSwitchPortRow>;
  readonly portsByName: ReadonlyMap<string, readonly LogicalSwitchPortRow[]>;
  readonly portGroups: ReadonlyMap<string, PortGroupRow>;
  readonly portGroupsByName: ReadonlyMap<string, readonly PortGroupRow[]>;
  readonly addressSetsByName: ReadonlyMap<string, readonly AddressSetRow[]>;
  readonly meterNames: ReadonlySet<string>;
  /** Logical switch uuids each port is on (normally one). */
  readonly switchesOfPort: ReadonlyMap<string, readonly string[]>;
  /** Where each ACL hangs. */
  readonly aclOwners: ReadonlyMap<string, readonly AclOwner[]>;
  /** For each port group, the switches it has ports on (where its ACLs are instantiated). */
  readonly switchesOfPortGroup: ReadonlyMap<string, ReadonlySet<string>>;
  /** For each switch, the ACLs that act on it: its own and those of port groups with ports on it. */
  readonly aclsOnSwitch: ReadonlyMap<string, ReadonlySet<string>>;
  /** Port names on each switch. */
  readonly portNamesOnSwitch: ReadonlyMap<string, ReadonlySet<string>>;
  /** The match context for the whole database (no datapath view). */
  readonly matchContext: MatchContext;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/**
 * The IPv4 and IPv6 addresses ovn-northd puts into `<group>_ip4`/`<group>_ip6` for a port: those of its
 * static "MAC IP…" entries and of dynamic_addresses, without prefix lengths (port_security does not count).
 */
export function portIps(port: LogicalSwitchPortRow): { ipv4: string[]; ipv6: string[] } {
  const ipv4: string[] = [];
  const ipv6: string[] = [];
  const entries = [...port.addresses, ...(port.dynamic_addresses === undefined ? [] : [port.dynamic_addresses])];
  for (const entry of entries) {
    const parsed = parseLspAddress(entry).value;
    if (parsed?.kind !== 'static') continue;
    for (const ip of parsed.ips) {
      if (ip.family === 4) ipv4.push(formatIpv4(ip.value));
      else ipv6.push(formatIpv6(ip.value));
    }
  }
  return { ipv4, ipv6 };
}

/**
 * ovn-northd also publishes `svc_monitor_mac` (the service monitor's MAC from NB_Global); its value is not in
 * the snapshot, so a placeholder MAC stands in: only its width and family matter to the checks.
 */
const SVC_MONITOR_MAC_PLACEHOLDER = ['00:00:00:00:00:00'];

function buildContext(s: NbSnapshot, ports: ReadonlyMap<string, LogicalSwitchPortRow>): MatchContext {
  const addressSets = new Map<string, readonly string[]>();
  const portGroups = new Map<string, readonly string[]>();
  for (const pg of s.portGroups) {
    const members = pg.ports.flatMap((u) => {
      const p = ports.get(u);
      return p ? [p] : [];
    });
    portGroups.set(
      pg.name,
      members.map((p) => p.name),
    );
    const ips = members.map(portIps);
    addressSets.set(`${pg.name}_ip4`, [...new Set(ips.flatMap((i) => i.ipv4))]);
    addressSets.set(`${pg.name}_ip6`, [...new Set(ips.flatMap((i) => i.ipv6))]);
  }
  addressSets.set('svc_monitor_mac', SVC_MONITOR_MAC_PLACEHOLDER);
  // A real address set wins over a derived one of the same name; the lint reports the clash.
  for (const as of s.addressSets) addressSets.set(as.name, as.addresses);
  return { addressSets, portGroups, ports: new Set(s.logicalSwitchPorts.map((p) => p.name)) };
}

const cache = new WeakMap<NbSnapshot, SnapshotIndex>();

export function indexSnapshot(s: NbSnapshot): SnapshotIndex {
  const hit = cache.get(s);
  if (hit) return hit;
  const ports = new Map(s.logicalSwitchPorts.map((p) => [p.uuid, p]));
  const portsByName = new Map<string, LogicalSwitchPortRow[]>();
  for (const p of s.logicalSwitchPorts) push(portsByName, p.name, p);
  const portGroupsByName = new Map<string, PortGroupRow[]>();
  for (const pg of s.portGroups) push(portGroupsByName, pg.name, pg);
  const addressSetsByName = new Map<string, AddressSetRow[]>();
  for (const as of s.addressSets) push(addressSetsByName, as.name, as);

  const switchesOfPort = new Map<string, string[]>();
  const portNamesOnSwitch = new Map<string, Set<string>>();
  const aclOwners = new Map<string, AclOwner[]>();
  const aclsOnSwitch = new Map<string, Set<string>>();
  for (const ls of s.logicalSwitches) {
    const names = new Set<string>();
    for (const u of ls.ports) {
      push(switchesOfPort, u, ls.uuid);
      const p = ports.get(u);
      if (p) names.add(p.name);
    }
    portNamesOnSwitch.set(ls.uuid, names);
    for (const a of ls.acls) push(aclOwners, a, { table: 'Logical_Switch', uuid: ls.uuid });
    aclsOnSwitch.set(ls.uuid, new Set(ls.acls));
  }
  const switchesOfPortGroup = new Map<string, Set<string>>();
  for (const pg of s.portGroups) {
    const sws = new Set(pg.ports.flatMap((u) => switchesOfPort.get(u) ?? []));
    switchesOfPortGroup.set(pg.uuid, sws);
    for (const a of pg.acls) push(aclOwners, a, { table: 'Port_Group', uuid: pg.uuid });
    for (const sw of sws) for (const a of pg.acls) aclsOnSwitch.get(sw)?.add(a);
  }

  const index: SnapshotIndex = {
    snapshot: s,
    acls: new Map(s.acls.map((a) => [a.uuid, a])),
    switches: new Map(s.logicalSwitches.map((ls) => [ls.uuid, ls])),
    ports,
    portsByName,
    portGroups: new Map(s.portGroups.map((pg) => [pg.uuid, pg])),
    portGroupsByName,
    addressSetsByName,
    meterNames: new Set(s.meters.map((m) => m.name)),
    switchesOfPort,
    aclOwners,
    switchesOfPortGroup,
    aclsOnSwitch,
    portNamesOnSwitch,
    matchContext: buildContext(s, ports),
  };
  cache.set(s, index);
  return index;
}

/**
 * The match context for an NbSnapshot: its address sets (plus the `_ip4`/`_ip6` sets derived from port groups),
 * port groups and port names. With `logicalSwitch` (a uuid), port-group references are resolved as
 * ovn-controller does on that switch's datapath.
 */
export function buildMatchContext(snapshot: NbSnapshot, options: { logicalSwitch?: string } = {}): MatchContext {
  const index = indexSnapshot(snapshot);
  if (options.logicalSwitch === undefined) return index.matchContext;
  return { ...index.matchContext, datapathPorts: index.portNamesOnSwitch.get(options.logicalSwitch) ?? new Set() };
}
