/**
 * OVN Northbound sample data.
 *
 * - `standardDataset`: the benchmark dataset of SPEC §6: S switches × P ports, S port groups × P/2 ACLs,
 *   and nothing else, so its row count is exactly S + S·P + S + S·⌊P/2⌋.
 * - `k8sDataset`: what ovn-kubernetes writes for a small cluster: a cluster router and a join switch, per
 *   node a switch, a gateway router, an external switch and the router ports that tie them together;
 *   namespaces with their address sets, network policies as port groups with ACLs, services as load
 *   balancers in the cluster load-balancer group, SNAT and static routes on the gateway routers.
 *
 * Both are deterministic for a seed. Rows that other rows reference across transactions (a namespace's
 * address set, a policy's port group, a node's switch) are reached by `name` in a `mutate`, which is what
 * ovn-kubernetes does too, so each transaction stands alone.
 */
import type { WireAtom, WireMap, WireRow } from '@ovsdb-web/client';
import { checkCount, DEFAULT_MAX_OPS_PER_BATCH, OpWriter, type SampleDataset } from './dataset.js';
import { fnv1a, Random } from './random.js';
import { ipv4, localMac, macForIp, map, optional, parseIpv4, set } from './wire.js';

export const OVN_NB_DB = 'OVN_Northbound';

// ---- shared address plan --------------------------------------------------------------------------

/** ovn-kubernetes' default cluster network: 10.128.0.0/14, a /23 per node. */
export const CLUSTER_CIDR = '10.128.0.0/14';
const CLUSTER_BASE = parseIpv4('10.128.0.0');
const NODE_SUBNET_SIZE = 512;
export const MAX_SWITCHES = 512;
const JOIN_BASE = parseIpv4('100.64.0.0');
const EXTERNAL_BASE = parseIpv4('172.18.0.0');
const SERVICE_BASE = parseIpv4('10.96.0.0');

/** The /23 of switch (node) `i`: .1 is its router port, .2 its management port, pods from .3 up. */
export function nodeSubnet(i: number): { cidr: string; base: number; size: number } {
  const base = CLUSTER_BASE + i * NODE_SUBNET_SIZE;
  return { cidr: `${ipv4(base)}/23`, base, size: NODE_SUBNET_SIZE };
}

/** The first address the generators give a pod; churn allocates downward from the top instead. */
export const FIRST_POD_OFFSET = 3;

export interface PodPort {
  name: string;
  ip: string;
  mac: string;
}

/** The row of a pod's logical switch port, as ovn-kubernetes writes it. */
export function podPortRow(pod: PodPort, namespace: string, node: string, ifaceIdVer: string): WireRow {
  const address = `${pod.mac} ${pod.ip}`;
  return {
    name: pod.name,
    addresses: set([address]),
    port_security: set([address]),
    options: map({ 'requested-chassis': node, 'iface-id-ver': ifaceIdVer }),
    external_ids: map({ namespace, pod: 'true' }),
  };
}

// ---- the standard dataset ---------------------------------------------------------------------------

export interface StandardOptions {
  /** S, default 100. */
  switches?: number;
  /** P, default 200. */
  ports?: number;
  seed?: number;
  maxOpsPerBatch?: number;
}

/** SPEC §6 sizes: `standard` is 30,200 rows, `standard-500` about 150k. */
export const STANDARD_PRESETS = {
  standard: { switches: 100, ports: 200 },
  'standard-500': { switches: 500, ports: 200 },
} as const satisfies Record<string, StandardOptions>;

export function standardSwitchName(i: number): string {
  return `ls${i}`;
}
export function standardPortGroupName(i: number): string {
  return `pg${i}`;
}

/** Expected rows of `standardDataset(S, P)`, without generating it. */
export function standardRowCount(switches: number, ports: number): number {
  return switches * (2 + ports + Math.floor(ports / 2));
}

/**
 * Switch `ls<i>` with ports `ls<i>-p<j>` (P of them), port group `pg<i>` holding all of them with ⌊P/2⌋
 * ACLs. ACL k of `pg<i>` admits traffic from (to-lport) or to (from-lport) the ports of another group, via
 * that group's implicit address set `$pg<n>_ip4`, on one port: the shape of a network policy rule.
 * Each switch with its group is one transaction as long as it fits the batch limit; larger switches are
 * split, the rest of their ports and ACLs added by `mutate`.
 */
export function standardDataset(opts: StandardOptions = {}): SampleDataset {
  const switches = checkCount('switches', opts.switches ?? STANDARD_PRESETS.standard.switches, 1, MAX_SWITCHES);
  const ports = checkCount('ports', opts.ports ?? STANDARD_PRESETS.standard.ports, 0, NODE_SUBNET_SIZE - 64);
  const maxOps = checkCount('maxOpsPerBatch', opts.maxOpsPerBatch ?? DEFAULT_MAX_OPS_PER_BATCH, 4, 100_000);
  const rnd = new Random(opts.seed ?? 1);
  const w = new OpWriter();
  const acls = Math.floor(ports / 2);
  // Ports and ACLs per transaction, leaving room for the switch and port-group operations.
  const chunk = maxOps - 2;

  for (let i = 0; i < switches; i++) {
    const lsName = standardSwitchName(i);
    const pgName = standardPortGroupName(i);
    const subnet = nodeSubnet(i);
    const portRef = (j: number): ['named-uuid', string] => {
      const ip = subnet.base + FIRST_POD_OFFSET + j;
      const pod = { name: `${lsName}-p${j}`, ip: ipv4(ip), mac: macForIp(ip) };
      return w.insert('Logical_Switch_Port', podPortRow(pod, `ns${i}`, `node${i}`, rnd.uuid()));
    };
    const aclRef = (k: number): ['named-uuid', string] => {
      const peer = standardPortGroupName((i + 1 + k) % switches);
      const port = 1000 + ((k * 37) % 9000);
      const ingress = k % 2 === 0;
      const match = ingress
        ? `outport == @${pgName} && ip4.src == $${peer}_ip4 && tcp.dst == ${port}`
        : `inport == @${pgName} && ip4.dst == $${peer}_ip4 && udp.dst == ${port}`;
      return w.insert('ACL', {
        name: `${pgName}-acl${k}`,
        priority: 1000 + (k % 1000),
        direction: ingress ? 'to-lport' : 'from-lport',
        match,
        action: k % 10 === 9 ? 'drop' : 'allow-related',
        external_ids: map({ 'k8s.ovn.org/name': `ns${i}:policy${k >> 1}`, 'k8s.ovn.org/owner-type': 'NetworkPolicy' }),
      });
    };

    // First transaction: the switch and its group with as many ports and ACLs as fit.
    const firstPorts = Math.min(ports, chunk);
    const firstAcls = Math.min(acls, Math.max(0, chunk - firstPorts));
    w.group(0, () => {
      const portRefs: WireAtom[] = [];
      for (let j = 0; j < firstPorts; j++) portRefs.push(portRef(j));
      const aclRefs: WireAtom[] = [];
      for (let k = 0; k < firstAcls; k++) aclRefs.push(aclRef(k));
      w.insert('Logical_Switch', {
        name: lsName,
        ports: set(portRefs),
        other_config: map({ subnet: subnet.cidr }),
        external_ids: map({ 'k8s.ovn.org/node': `node${i}` }),
      });
      w.insert('Port_Group', {
        name: pgName,
        ports: set(portRefs),
        acls: set(aclRefs),
        external_ids: map({ 'k8s.ovn.org/name': `ns${i}`, 'k8s.ovn.org/owner-type': 'Namespace' }),
      });
    });
    // The rest, for switches too big for one transaction.
    for (let j = firstPorts; j < ports; j += chunk) {
      w.group(1, () => {
        const refs: WireAtom[] = [];
        for (let n = j; n < Math.min(ports, j + chunk); n++) refs.push(portRef(n));
        w.mutateByName('Logical_Switch', lsName, [['ports', 'insert', set(refs)]]);
        w.mutateByName('Port_Group', pgName, [['ports', 'insert', set(refs)]]);
      });
    }
    for (let k = firstAcls; k < acls; k += chunk) {
      w.group(1, () => {
        const refs: WireAtom[] = [];
        for (let n = k; n < Math.min(acls, k + chunk); n++) refs.push(aclRef(n));
        w.mutateByName('Port_Group', pgName, [['acls', 'insert', set(refs)]]);
      });
    }
  }
  return w.finish(OVN_NB_DB, maxOps);
}

// ---- the ovn-kubernetes shaped dataset ----------------------------------------------------------------

export interface K8sOptions {
  /** Worker nodes, each with its own switch and gateway router (default 10). */
  nodes?: number;
  /** Pods per node (default 50). */
  podsPerNode?: number;
  /** Namespaces, each with an address set of its pods' IPs (default 10). */
  namespaces?: number;
  /** Network policies per namespace: a port group of selected pods with its ACLs (default 2). */
  policiesPerNamespace?: number;
  /** Services per namespace: one load balancer each (default 3). */
  servicesPerNamespace?: number;
  /** Insert the NB_Global row (default true). A database holds at most one, so skip it when one exists. */
  nbGlobal?: boolean;
  seed?: number;
  maxOpsPerBatch?: number;
}

const CLUSTER_ROUTER = 'ovn_cluster_router';
const JOIN_SWITCH = 'join';
const CLUSTER_LB_GROUP = 'clusterLBGroup';
const CLUSTER_PORT_GROUP = 'clusterPortGroup';
const CONTROLLER = 'default-network-controller';
const WELL_KNOWN_NAMESPACES = ['default', 'kube-system', 'monitoring', 'ingress-nginx', 'cert-manager', 'logging'];
const APPS = ['nginx', 'redis', 'api', 'frontend', 'worker', 'postgres', 'kafka', 'coredns', 'prometheus', 'grafana'];
const SERVICE_PORTS = [80, 443, 5432, 6379, 8080, 9090, 9092, 53];

export function k8sNodeName(i: number): string {
  return `node-${i}`;
}

/** ovn-kubernetes names address sets and port groups by a hash of what they stand for. */
function hashedName(text: string): string {
  return `a${fnv1a(text)}${fnv1a(`${text}#`)}`;
}

/** The OVN match that ovn-kubernetes' default multicast deny ACLs use. */
const MULTICAST_MATCH = '(ip4.mcast || mldv1 || mldv2 || (ip6.dst[120..127] == 0xff && ip6.dst[116] == 1))';

interface Namespace {
  name: string;
  addressSet: string;
  /** Port groups of the namespace's policies, and the default-deny groups their pods join. */
  policies: { portGroup: string; selects: number }[];
  ingressDeny: string;
  egressDeny: string;
  /** Pod IPs, filled as pods are generated, for service endpoints. */
  podIps: string[];
}

export function k8sDataset(opts: K8sOptions = {}): SampleDataset {
  const nodes = checkCount('nodes', opts.nodes ?? 10, 1, MAX_SWITCHES);
  const podsPerNode = checkCount('podsPerNode', opts.podsPerNode ?? 50, 0, NODE_SUBNET_SIZE - 64);
  const nsCount = checkCount('namespaces', opts.namespaces ?? 10, 1, 10_000);
  const policiesPerNs = checkCount('policiesPerNamespace', opts.policiesPerNamespace ?? 2, 0, 1_000);
  const servicesPerNs = checkCount('servicesPerNamespace', opts.servicesPerNamespace ?? 3, 0, 1_000);
  const maxOps = checkCount('maxOpsPerBatch', opts.maxOpsPerBatch ?? DEFAULT_MAX_OPS_PER_BATCH, 64, 100_000);
  const rnd = new Random(opts.seed ?? 1);
  const w = new OpWriter();

  // ---- phase 0: cluster-wide rows that everything later refers to by name
  w.group(0, () => {
    if (opts.nbGlobal ?? true) {
      w.insert('NB_Global', {
        options: map({
          mac_prefix: '0a:58:0a',
          svc_monitor_mac: localMac(0xfe, 1),
          northd_probe_interval: '5000',
          e2e_timestamp: String(1_700_000_000 + rnd.int(0, 1_000_000)),
        }),
      });
    }
    const rtoj = w.insert('Logical_Router_Port', {
      name: `rtoj-${CLUSTER_ROUTER}`,
      mac: localMac(0x64, 1),
      networks: set([`${ipv4(JOIN_BASE + 1)}/16`]),
    });
    w.insert('Logical_Router', {
      name: CLUSTER_ROUTER,
      ports: set([rtoj]),
      options: map({ mcast_relay: 'true' }),
      external_ids: map({ 'k8s-cluster-router': 'yes', 'k8s-ovn-topo-version': '5' }),
    });
    const jtor = w.insert('Logical_Switch_Port', {
      name: `jtor-${CLUSTER_ROUTER}`,
      type: 'router',
      addresses: set(['router']),
      options: map({ 'router-port': `rtoj-${CLUSTER_ROUTER}` }),
    });
    w.insert('Logical_Switch', { name: JOIN_SWITCH, ports: set([jtor]) });
    // Multicast is denied cluster-wide unless a namespace opts in; node management ports join later.
    const mcastAcls = (['to-lport', 'from-lport'] as const).map((direction) =>
      w.insert('ACL', {
        name: `cluster_mcast_deny_${direction === 'to-lport' ? 'ingress' : 'egress'}`,
        priority: 1011,
        direction,
        match: `${direction === 'to-lport' ? 'outport' : 'inport'} == @${CLUSTER_PORT_GROUP} && ${MULTICAST_MATCH}`,
        action: 'drop',
        external_ids: map({ 'k8s.ovn.org/owner-controller': CONTROLLER, 'k8s.ovn.org/owner-type': 'MulticastCluster' }),
      }),
    );
    w.insert('Port_Group', {
      name: CLUSTER_PORT_GROUP,
      acls: set(mcastAcls),
      external_ids: map({ name: CLUSTER_PORT_GROUP }),
    });
  });

  const namespaces: Namespace[] = [];
  for (let n = 0; n < nsCount; n++) {
    const name = WELL_KNOWN_NAMESPACES[n] ?? `app-${n}`;
    const ns: Namespace = {
      name,
      addressSet: hashedName(`${CONTROLLER}:Namespace:${name}:v4`),
      policies: [],
      ingressDeny: hashedName(`${name}_ingressDefaultDeny`),
      egressDeny: hashedName(`${name}_egressDefaultDeny`),
      podIps: [],
    };
    namespaces.push(ns);
    w.group(0, () => {
      w.insert('Address_Set', {
        name: ns.addressSet,
        external_ids: map({
          'k8s.ovn.org/id': `${CONTROLLER}:Namespace:${name}:v4`,
          'k8s.ovn.org/name': name,
          'k8s.ovn.org/owner-controller': CONTROLLER,
          'k8s.ovn.org/owner-type': 'Namespace',
          'ip-family': 'v4',
        }),
      });
    });
    if (policiesPerNs === 0) continue;
    // Default deny for pods any policy selects: drop everything, except ARP/ND, in both directions.
    w.group(0, () => {
      for (const [pg, direction, port] of [
        [ns.ingressDeny, 'to-lport', 'outport'],
        [ns.egressDeny, 'from-lport', 'inport'],
      ] as const) {
        const gress = direction === 'to-lport' ? 'Ingress' : 'Egress';
        const ids = (action: string): WireMap =>
          map({
            'k8s.ovn.org/id': `${CONTROLLER}:NetpolNamespace:${name}:${gress}:${action}`,
            'k8s.ovn.org/name': name,
            'k8s.ovn.org/owner-controller': CONTROLLER,
            'k8s.ovn.org/owner-type': 'NetpolNamespace',
          });
        const options = direction === 'from-lport' ? map({ 'apply-after-lb': 'true' }) : map({});
        const acls = [
          w.insert('ACL', {
            priority: 1001,
            direction,
            match: `${port} == @${pg} && (arp || nd)`,
            action: 'allow',
            options,
            external_ids: ids('allow'),
          }),
          w.insert('ACL', {
            priority: 1000,
            direction,
            match: `${port} == @${pg}`,
            action: 'drop',
            options,
            external_ids: ids('deny'),
          }),
        ];
        w.insert('Port_Group', {
          name: pg,
          acls: set(acls),
          external_ids: map({ name: `${name}_${gress === 'Ingress' ? 'ingress' : 'egress'}DefaultDeny` }),
        });
      }
    });
  }

  // Policies: each selects some pods of its namespace and admits traffic from a peer namespace on a port.
  for (const ns of namespaces) {
    for (let p = 0; p < policiesPerNs; p++) {
      const policy = `${rnd.pick(APPS)}-allow-${p}`;
      const portGroup = hashedName(`${CONTROLLER}:NetworkPolicy:${ns.name}:${policy}`);
      ns.policies.push({ portGroup, selects: rnd.int(30, 80) });
      w.group(0, () => {
        const acls: WireAtom[] = [];
        const rules = rnd.int(1, 3);
        for (let r = 0; r < rules; r++) {
          const peer = rnd.pick(namespaces).addressSet;
          const port = rnd.pick(SERVICE_PORTS);
          const egress = r % 3 === 2;
          const gress = egress ? 'Egress' : 'Ingress';
          acls.push(
            w.insert('ACL', {
              name: optional(`${ns.name}_${policy}_${r}`.slice(0, 63)),
              priority: 1001,
              direction: egress ? 'from-lport' : 'to-lport',
              match: egress
                ? `ip4.dst == {$${peer}} && inport == @${portGroup} && tcp && tcp.dst == ${port}`
                : `ip4.src == {$${peer}} && outport == @${portGroup} && tcp && tcp.dst == ${port}`,
              action: 'allow-related',
              options: egress ? map({ 'apply-after-lb': 'true' }) : map({}),
              external_ids: map({
                'k8s.ovn.org/id': `${CONTROLLER}:NetworkPolicy:${ns.name}:${policy}:${gress}:${r}:tcp`,
                'k8s.ovn.org/name': `${ns.name}:${policy}`,
                'k8s.ovn.org/owner-controller': CONTROLLER,
                'k8s.ovn.org/owner-type': 'NetworkPolicy',
                direction: gress,
                'gress-index': String(r),
                'port-policy-protocol': 'tcp',
              }),
            }),
          );
        }
        w.insert('Port_Group', {
          name: portGroup,
          acls: set(acls),
          external_ids: map({ name: `${ns.name}_${policy}` }),
        });
      });
    }
  }

  // ---- phase 1: nodes, their pods, and the links into the cluster router and join switch
  const usedNames = new Set<string>();
  // Worst case per pod: its port, its namespace's address set, and every port group of its namespace.
  const podChunk = Math.max(1, Math.floor((maxOps - 32) / (4 + policiesPerNs)));
  for (let k = 0; k < nodes; k++) {
    const node = k8sNodeName(k);
    const subnet = nodeSubnet(k);
    const joinIp = ipv4(JOIN_BASE + 2 + k);
    const externalIp = ipv4(EXTERNAL_BASE + 2 + k);
    const gr = `GR_${node}`;

    const pods: { pod: PodPort; ns: Namespace; policies: string[] }[] = [];
    for (let j = 0; j < podsPerNode; j++) {
      const ns = rnd.pick(namespaces);
      let podName: string;
      do {
        podName = `${rnd.pick(APPS)}-${rnd.token(10)}-${rnd.token(5)}`;
      } while (usedNames.has(`${ns.name}_${podName}`));
      usedNames.add(`${ns.name}_${podName}`);
      const ipNum = subnet.base + FIRST_POD_OFFSET + j;
      const pod = { name: `${ns.name}_${podName}`, ip: ipv4(ipNum), mac: macForIp(ipNum) };
      ns.podIps.push(pod.ip);
      const policies = ns.policies.filter((p) => rnd.int(0, 99) < p.selects).map((p) => p.portGroup);
      if (policies.length > 0) policies.push(ns.ingressDeny, ns.egressDeny);
      pods.push({ pod, ns, policies });
    }

    /** Pod ports plus the address-set and port-group mutations that make them part of their namespace. */
    const writePods = (slice: typeof pods): WireAtom[] => {
      const refs: WireAtom[] = [];
      const ipsBySet = new Map<string, string[]>();
      const portsByGroup = new Map<string, WireAtom[]>();
      for (const { pod, ns, policies } of slice) {
        const ref = w.insert('Logical_Switch_Port', podPortRow(pod, ns.name, node, rnd.uuid()));
        refs.push(ref);
        const ips = ipsBySet.get(ns.addressSet) ?? [];
        ips.push(pod.ip);
        ipsBySet.set(ns.addressSet, ips);
        for (const pg of policies) {
          const members = portsByGroup.get(pg) ?? [];
          members.push(ref);
          portsByGroup.set(pg, members);
        }
      }
      for (const [name, ips] of ipsBySet) w.mutateByName('Address_Set', name, [['addresses', 'insert', set(ips)]]);
      for (const [name, members] of portsByGroup)
        w.mutateByName('Port_Group', name, [['ports', 'insert', set(members)]]);
      return refs;
    };

    w.group(1, () => {
      // Node switch: router port to the cluster router, management port, first pods.
      const stor = w.insert('Logical_Switch_Port', {
        name: `stor-${node}`,
        type: 'router',
        addresses: set(['router']),
        options: map({ 'router-port': `rtos-${node}` }),
      });
      const mgmtIp = subnet.base + 2;
      const mgmt = w.insert('Logical_Switch_Port', {
        name: `k8s-${node}`,
        addresses: set([`${macForIp(mgmtIp)} ${ipv4(mgmtIp)}`]),
      });
      w.mutateByName('Port_Group', CLUSTER_PORT_GROUP, [['ports', 'insert', mgmt]]);
      const podRefs = writePods(pods.slice(0, podChunk));
      w.insert('Logical_Switch', {
        name: node,
        ports: set([stor, mgmt, ...podRefs]),
        other_config: map({ subnet: subnet.cidr, mcast_snoop: 'true', mcast_querier: 'false' }),
      });

      // Cluster router side: the node subnet's router port and the source route to the node's gateway.
      const rtos = w.insert('Logical_Router_Port', {
        name: `rtos-${node}`,
        mac: localMac(0x0a, subnet.base + 1),
        networks: set([`${ipv4(subnet.base + 1)}/23`]),
      });
      const srcRoute = w.insert('Logical_Router_Static_Route', {
        ip_prefix: subnet.cidr,
        nexthop: joinIp,
        policy: optional('src-ip'),
        external_ids: map({ 'k8s.ovn.org/node': node }),
      });
      w.mutateByName('Logical_Router', CLUSTER_ROUTER, [
        ['ports', 'insert', rtos],
        ['static_routes', 'insert', srcRoute],
      ]);

      // Gateway router with its join and external ports, SNAT of the cluster network, and routes.
      const rtoj = w.insert('Logical_Router_Port', {
        name: `rtoj-${gr}`,
        mac: localMac(0x64, 2 + k),
        networks: set([`${joinIp}/16`]),
      });
      const rtoe = w.insert('Logical_Router_Port', {
        name: `rtoe-${gr}`,
        mac: localMac(0x12, 2 + k),
        networks: set([`${externalIp}/16`]),
        external_ids: map({ 'gateway-physical-ip': 'yes' }),
      });
      const snat = w.insert('NAT', {
        type: 'snat',
        external_ip: externalIp,
        logical_ip: CLUSTER_CIDR,
        options: map({ stateless: 'false' }),
      });
      const defaultRoute = w.insert('Logical_Router_Static_Route', {
        ip_prefix: '0.0.0.0/0',
        nexthop: ipv4(EXTERNAL_BASE + 1),
        output_port: optional(`rtoe-${gr}`),
      });
      const clusterRoute = w.insert('Logical_Router_Static_Route', {
        ip_prefix: CLUSTER_CIDR,
        nexthop: ipv4(JOIN_BASE + 1),
      });
      w.insert('Logical_Router', {
        name: gr,
        ports: set([rtoj, rtoe]),
        nat: set([snat]),
        static_routes: set([defaultRoute, clusterRoute]),
        options: map({
          chassis: rnd.uuid(),
          lb_force_snat_ip: 'router_ip',
          'snat-ct-zone': '0',
          always_learn_from_arp_request: 'false',
          dynamic_neigh_routers: 'true',
        }),
        external_ids: map({ physical_ip: externalIp, physical_ips: externalIp }),
      });
      const jtor = w.insert('Logical_Switch_Port', {
        name: `jtor-${gr}`,
        type: 'router',
        addresses: set(['router']),
        options: map({ 'router-port': `rtoj-${gr}` }),
      });
      w.mutateByName('Logical_Switch', JOIN_SWITCH, [['ports', 'insert', jtor]]);

      // External switch: the gateway router's uplink and the localnet port to the physical network.
      const etor = w.insert('Logical_Switch_Port', {
        name: `etor-${gr}`,
        type: 'router',
        addresses: set([localMac(0x12, 2 + k)]),
        options: map({ 'router-port': `rtoe-${gr}` }),
      });
      const localnet = w.insert('Logical_Switch_Port', {
        name: `breth0_${node}`,
        type: 'localnet',
        addresses: set(['unknown']),
        options: map({ network_name: 'physnet' }),
      });
      w.insert('Logical_Switch', { name: `ext_${node}`, ports: set([etor, localnet]) });
    });

    // Nodes with more pods than one transaction takes get the rest in follow-up transactions.
    for (let start = podChunk; start < pods.length; start += podChunk) {
      const slice = pods.slice(start, start + podChunk);
      w.group(2, () => {
        const refs = writePods(slice);
        w.mutateByName('Logical_Switch', node, [['ports', 'insert', set(refs)]]);
      });
    }
  }

  // ---- phase 2: services, in the cluster load-balancer group every node switch and gateway router uses
  w.group(2, () => {
    const lbs: WireAtom[] = [];
    let serviceIndex = 0;
    for (const ns of namespaces) {
      for (let s = 0; s < servicesPerNs; s++) {
        const svc = `${rnd.pick(APPS)}-${s}`;
        const port = rnd.pick(SERVICE_PORTS);
        const vip = `${ipv4(SERVICE_BASE + 10 + serviceIndex++)}:${port}`;
        const endpoints: string[] = [];
        const n = Math.min(ns.podIps.length, rnd.int(1, 3));
        for (let e = 0; e < n; e++) endpoints.push(`${rnd.pick(ns.podIps)}:${8000 + s}`);
        lbs.push(
          w.insert('Load_Balancer', {
            name: `Service_${ns.name}/${svc}_TCP_cluster`,
            protocol: optional('tcp'),
            vips: map(endpoints.length > 0 ? { [vip]: [...new Set(endpoints)].join(',') } : {}),
            options: map({
              event: 'false',
              reject: 'true',
              skip_snat: 'false',
              hairpin_snat_ip: '169.254.169.5 fd69::5',
            }),
            external_ids: map({ 'k8s.ovn.org/kind': 'Service', 'k8s.ovn.org/owner': `${ns.name}/${svc}` }),
          }),
        );
      }
    }
    const group = w.insert('Load_Balancer_Group', { name: CLUSTER_LB_GROUP, load_balancer: set(lbs) });
    for (let k = 0; k < nodes; k++) {
      w.mutateByName('Logical_Switch', k8sNodeName(k), [['load_balancer_group', 'insert', group]]);
      w.mutateByName('Logical_Router', `GR_${k8sNodeName(k)}`, [['load_balancer_group', 'insert', group]]);
    }
  });

  return w.finish(OVN_NB_DB, maxOps);
}
