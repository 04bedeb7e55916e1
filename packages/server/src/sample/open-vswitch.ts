/**
 * Open_vSwitch sample data: the local database of one ovn-kubernetes node. The root row, the integration
 * bridge `br-int` (management port, patch port, Geneve tunnels to the other nodes, one veth per pod) and
 * the external bridge `breth0` (the uplink NIC and the other end of the patch). Columns that only
 * ovs-vswitchd writes (ofport, link state, MTU) are filled in as it would, so a viewer has something to show.
 */
import type { WireAtom, WireRow } from '@ovsdb-web/client';
import { checkCount, DEFAULT_MAX_OPS_PER_BATCH, OpWriter, type SampleDataset } from './dataset.js';
import { Random } from './random.js';
import { ipv4, localMac, macForIp, map, optional, parseIpv4, set } from './wire.js';

export const OPEN_VSWITCH_DB = 'Open_vSwitch';

export interface OpenVSwitchOptions {
  /** Pod veth ports on br-int (default 50). */
  pods?: number;
  /** Geneve tunnels, one per other node (default 9). */
  tunnels?: number;
  /** The node's name (default `node-0`). */
  hostname?: string;
  seed?: number;
  maxOpsPerBatch?: number;
}

const NODE_IP = parseIpv4('172.18.0.2');
const POD_BASE = parseIpv4('10.128.0.0');
const NAMESPACES = ['default', 'kube-system', 'monitoring', 'app-6', 'app-7'];
const APPS = ['nginx', 'redis', 'api', 'frontend', 'worker'];

export function openVSwitchDataset(opts: OpenVSwitchOptions = {}): SampleDataset {
  const pods = checkCount('pods', opts.pods ?? 50, 0, 448);
  const tunnels = checkCount('tunnels', opts.tunnels ?? 9, 0, 4_000);
  const maxOps = checkCount('maxOpsPerBatch', opts.maxOpsPerBatch ?? DEFAULT_MAX_OPS_PER_BATCH, 8, 100_000);
  const host = opts.hostname ?? 'node-0';
  const rnd = new Random(opts.seed ?? 1);
  const w = new OpWriter();
  let ofport = 1;

  /** One Port row with its single Interface (what `ovs-vsctl add-port` creates). */
  const port = (name: string, iface: WireRow, portExtra: WireRow = {}): ['named-uuid', string] => {
    const isVswitchdManaged = iface.type !== 'patch';
    const i = w.insert('Interface', {
      name,
      ...(isVswitchdManaged
        ? { ofport: ofport++, admin_state: optional('up'), link_state: optional('up'), mtu: 1400 }
        : {}),
      ...iface,
    });
    return w.insert('Port', { name, interfaces: set([i]), ...portExtra });
  };

  w.group(0, () => {
    const brInt = w.insert('Bridge', {
      name: 'br-int',
      fail_mode: optional('secure'),
      datapath_type: 'system',
      protocols: set(['OpenFlow13', 'OpenFlow15']),
      other_config: map({ 'disable-in-band': 'true', hwaddr: localMac(0x42, 1) }),
      external_ids: map({ 'ovn-nb-cfg': '1' }),
      ports: set([
        port('br-int', { type: 'internal', mac_in_use: optional(localMac(0x42, 1)) }),
        port('ovn-k8s-mp0', {
          type: 'internal',
          mac_in_use: optional(macForIp(POD_BASE + 2)),
          external_ids: map({ 'iface-id': `k8s-${host}` }),
        }),
        port('patch-br-int-to-breth0_' + host, {
          type: 'patch',
          options: map({ peer: `patch-breth0_${host}-to-br-int` }),
        }),
      ]),
    });
    const brEx = w.insert('Bridge', {
      name: 'breth0',
      datapath_type: 'system',
      other_config: map({ hwaddr: localMac(0x43, 1) }),
      external_ids: map({ 'bridge-id': 'breth0', 'bridge-uplink': 'eth0' }),
      ports: set([
        port('breth0', { type: 'internal', mac_in_use: optional(localMac(0x43, 1)) }),
        port('eth0', { mac_in_use: optional(localMac(0x43, 1)), link_speed: 10_000_000_000 }),
        port(`patch-breth0_${host}-to-br-int`, {
          type: 'patch',
          options: map({ peer: `patch-br-int-to-breth0_${host}` }),
        }),
      ]),
    });
    const nodeIp = ipv4(NODE_IP);
    w.insert('Open_vSwitch', {
      bridges: set([brInt, brEx]),
      ovs_version: optional('3.1.0'),
      db_version: optional('8.3.1'),
      system_type: optional('debian'),
      system_version: optional('12'),
      datapath_types: set(['netdev', 'system']),
      iface_types: set([
        'erspan',
        'geneve',
        'gre',
        'internal',
        'ip6erspan',
        'ip6gre',
        'lisp',
        'patch',
        'stt',
        'system',
        'tap',
        'vxlan',
      ]),
      next_cfg: 1,
      cur_cfg: 1,
      external_ids: map({
        'system-id': rnd.uuid(),
        hostname: host,
        rundir: '/var/run/openvswitch',
        'ovn-remote': `tcp:${nodeIp}:6642`,
        'ovn-encap-type': 'geneve',
        'ovn-encap-ip': nodeIp,
        'ovn-bridge-mappings': 'physnet:breth0',
        'ovn-monitor-all': 'true',
      }),
    });
  });

  // The rest goes onto br-int in chunks: every Port needs its Interface in the same transaction, and both
  // are only kept because the Bridge mutation in that transaction references the Port.
  const items: (() => WireAtom)[] = [];
  for (let t = 0; t < tunnels; t++) {
    const remote = ipv4(NODE_IP + 1 + t);
    items.push(() =>
      port(`ovn-${rnd.uuid().slice(0, 6)}-0`, {
        type: 'geneve',
        options: map({ csum: 'true', key: 'flow', remote_ip: remote }),
        external_ids: map({}),
        bfd: map({ enable: 'false' }),
      }),
    );
  }
  for (let p = 0; p < pods; p++) {
    const ip = POD_BASE + 3 + p;
    const sandbox = Array.from({ length: 64 }, () => rnd.int(0, 15).toString(16)).join('');
    items.push(() =>
      port(sandbox.slice(0, 15), {
        mac_in_use: optional(localMac(0xfe, ip)),
        external_ids: map({
          attached_mac: macForIp(ip),
          'iface-id': `${rnd.pick(NAMESPACES)}_${rnd.pick(APPS)}-${rnd.token(10)}-${rnd.token(5)}`,
          'iface-id-ver': rnd.uuid(),
          ip_addresses: `${ipv4(ip)}/23`,
          sandbox,
        }),
      }),
    );
  }
  const chunk = Math.max(1, Math.floor((maxOps - 1) / 2));
  for (let start = 0; start < items.length; start += chunk) {
    const slice = items.slice(start, start + chunk);
    w.group(1, () => {
      const refs = slice.map((make) => make());
      w.mutateByName('Bridge', 'br-int', [['ports', 'insert', set(refs)]]);
    });
  }
  return w.finish(OPEN_VSWITCH_DB, maxOps);
}
