// Logical_Switch_Port rules: ovn-nb(5) "Logical_Switch_Port TABLE" of OVN 23.03, and the checks ovn-nbctl makes
// before it writes a port (a unique name, no IP address twice on one switch).
import { parseIpWithPrefix, parseLspAddress, parsePortSecurity, type LspAddress } from '../net/addresses.js';
import { formatIpv4 } from '../net/ipv4.js';
import { formatIpv6 } from '../net/ipv6.js';
import { formatMac } from '../net/mac.js';
import { warnIfCmsOwned } from './cms.js';
import { Findings } from './findings.js';
import { indexSnapshot, type SnapshotIndex } from './snapshot-index.js';
import type { LogicalSwitchPortRow, NbSnapshot, RuleResult } from './types.js';

export interface LspCheckContext {
  readonly snapshot: NbSnapshot;
  /** The switch the port is, or will be, on (uuid). Default: where the snapshot has it. */
  readonly logicalSwitch?: string;
  /**
   * The row as currently stored, when `lsp` is an edit of it: ovn-northd owns up, tag and dynamic_addresses,
   * so an edit may not change them. For a new row pass `isNew` instead.
   */
  readonly original?: LogicalSwitchPortRow;
  readonly isNew?: boolean;
}

/** Port types of OVN 23.03 and the options each requires. */
export const LSP_TYPES: ReadonlyMap<string, readonly string[]> = new Map([
  ['', []],
  ['router', ['router-port']],
  ['localnet', ['network_name']],
  ['localport', []],
  ['l2gateway', ['network_name', 'l2gateway-chassis']],
  ['vtep', ['vtep-physical-switch', 'vtep-logical-switch']],
  ['external', []],
  ['virtual', ['virtual-ip', 'virtual-parents']],
  ['remote', []],
]);

/** Options that only mean something for particular types. */
const OPTION_TYPES: ReadonlyMap<string, readonly string[]> = new Map([
  ['router-port', ['router']],
  ['nat-addresses', ['router']],
  ['exclude-lb-vips-from-garp', ['router']],
  ['arp_proxy', ['router']],
  ['network_name', ['localnet', 'l2gateway']],
  ['ethtype', ['localnet']],
  ['localnet_learn_fdb', ['localnet']],
  ['l2gateway-chassis', ['l2gateway']],
  ['vtep-physical-switch', ['vtep']],
  ['vtep-logical-switch', ['vtep']],
  ['virtual-ip', ['virtual']],
  ['virtual-parents', ['virtual']],
]);

const BOOLEAN_OPTIONS = ['mcast_flood', 'mcast_flood_reports', 'localnet_learn_fdb', 'exclude-lb-vips-from-garp'];
const MAX_TAG = 4095;
const MAX_TUNNEL_KEY = 32767;

const typeLabel = (type: string): string => (type === '' ? 'VIF (empty type)' : type);

/** Every IP the port claims on its switch, as "4:<hex>"/"6:<hex>" keys with their text. */
function claimedIps(port: LogicalSwitchPortRow): Map<string, string> {
  const out = new Map<string, string>();
  const add = (family: 4 | 6, value: bigint): void => {
    out.set(`${family}:${value.toString(16)}`, family === 4 ? formatIpv4(value) : formatIpv6(value));
  };
  const entries = [...port.addresses, ...(port.dynamic_addresses === undefined ? [] : [port.dynamic_addresses])];
  for (const entry of entries) {
    const a = parseLspAddress(entry).value;
    if (a?.kind === 'static') for (const ip of a.ips) add(ip.family, ip.value);
    if (a?.kind === 'dynamic') {
      if (a.ipv4) add(4, a.ipv4.value);
      if (a.ipv6) add(6, a.ipv6.value);
    }
  }
  return out;
}

function claimedMacs(port: LogicalSwitchPortRow): Map<bigint, boolean> {
  const out = new Map<bigint, boolean>();
  for (const entry of port.addresses) {
    const a = parseLspAddress(entry).value;
    if ((a?.kind === 'static' || a?.kind === 'dynamic') && a.mac) out.set(a.mac.value, a.mac.vrrpv3);
  }
  return out;
}

function checkAddresses(lsp: LogicalSwitchPortRow, f: Findings): LspAddress[] {
  const parsed: LspAddress[] = [];
  let dynamicCount = 0;
  for (const entry of lsp.addresses) {
    const r = parseLspAddress(entry);
    for (const e of r.errors) f.error('addresses', `address-${e.code}`, `"${entry}": ${e.message}`, e.offset);
    for (const w of r.warnings) f.warning('addresses', `address-${w.code}`, `"${entry}": ${w.message}`, w.offset);
    if (!r.value) continue;
    parsed.push(r.value);
    if (r.value.kind === 'router' && lsp.type !== 'router') {
      f.error(
        'addresses',
        'lsp-router-address',
        `"router" is accepted only on ports of type router (this one is ${typeLabel(lsp.type)}).`,
      );
    }
    if (r.value.kind === 'dynamic') dynamicCount++;
  }
  if (dynamicCount > 1) {
    f.error('addresses', 'lsp-multiple-dynamic', 'Only one element containing "dynamic" may appear in addresses.');
  }
  return parsed;
}

function checkPortSecurity(lsp: LogicalSwitchPortRow, addresses: readonly LspAddress[], f: Findings): void {
  const ownMacs = new Set(addresses.flatMap((a) => (a.kind === 'static' ? [a.mac.value] : [])));
  const open = addresses.some((a) => a.kind !== 'static');
  for (const entry of lsp.port_security) {
    const r = parsePortSecurity(entry);
    for (const e of r.errors) f.error('port_security', `port-security-${e.code}`, `"${entry}": ${e.message}`, e.offset);
    for (const w of r.warnings)
      f.warning('port_security', `port-security-${w.code}`, `"${entry}": ${w.message}`, w.offset);
    if (r.value && ownMacs.size > 0 && !open && !ownMacs.has(r.value.mac.value)) {
      f.warning(
        'port_security',
        'lsp-port-security-foreign-mac',
        `"${entry}": ${formatMac(r.value.mac.value)} is not among the port's addresses, so port security would block ` +
          "the traffic of the port's own address.",
      );
    }
  }
}

function checkTypeAndOptions(lsp: LogicalSwitchPortRow, f: Findings, index: SnapshotIndex): void {
  const required = LSP_TYPES.get(lsp.type);
  if (!required) {
    f.error(
      'type',
      'lsp-type',
      `"${lsp.type}" is not a port type of OVN 23.03 (${[...LSP_TYPES.keys()].map(typeLabel).join(', ')}).`,
    );
    return;
  }
  for (const key of required) {
    const v = lsp.options.get(key);
    if (v === undefined || v.trim() === '') {
      f.error('options', 'lsp-missing-option', `A ${lsp.type} port needs options:${key}.`);
    }
  }
  for (const key of lsp.options.keys()) {
    const types = OPTION_TYPES.get(key);
    if (types && !types.includes(lsp.type)) {
      f.warning(
        'options',
        'lsp-option-for-other-type',
        `options:${key} applies to ${types.join(' and ')} ports; it has no effect on a ${typeLabel(lsp.type)} port.`,
      );
    }
  }
  for (const key of BOOLEAN_OPTIONS) {
    const v = lsp.options.get(key);
    if (v !== undefined && v !== 'true' && v !== 'false') {
      f.warning('options', 'lsp-option-value', `options:${key} should be "true" or "false", not "${v}".`);
    }
  }
  const tnl = lsp.options.get('requested-tnl-key');
  if (tnl !== undefined && (!/^\d+$/.test(tnl) || Number(tnl) < 1 || Number(tnl) > MAX_TUNNEL_KEY)) {
    f.error('options', 'lsp-tunnel-key', `options:requested-tnl-key must be an integer from 1 to ${MAX_TUNNEL_KEY}.`);
  }
  const routerPort = lsp.options.get('router-port');
  const lrps = index.snapshot.logicalRouterPorts;
  if (lsp.type === 'router' && routerPort && lrps && !lrps.some((p) => p.name === routerPort)) {
    f.warning(
      'options',
      'lsp-router-port-unknown',
      `options:router-port names "${routerPort}", but no logical router port has that name.`,
    );
  }
  if (lsp.type === 'virtual') {
    const vip = lsp.options.get('virtual-ip');
    const ip = vip === undefined ? undefined : parseIpWithPrefix(vip.trim());
    if (vip !== undefined && vip.trim() !== '' && (!ip || ip.prefix !== undefined)) {
      f.error('options', 'lsp-virtual-ip', `options:virtual-ip must be one IP address, not "${vip}".`);
    }
    for (const parent of (lsp.options.get('virtual-parents') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      if (!index.portsByName.has(parent)) {
        f.warning(
          'options',
          'lsp-virtual-parent-unknown',
          `options:virtual-parents names "${parent}", but no logical switch port has that name.`,
        );
      }
    }
  }
}

function checkContainer(lsp: LogicalSwitchPortRow, f: Findings, index: SnapshotIndex): void {
  if (lsp.tag_request !== undefined) {
    if (!Number.isInteger(lsp.tag_request) || lsp.tag_request < 0 || lsp.tag_request > MAX_TAG) {
      f.error('tag_request', 'lsp-tag-request', `tag_request must be an integer from 0 to ${MAX_TAG}.`);
    } else if (lsp.parent_name === undefined && lsp.type !== 'localnet' && lsp.type !== 'l2gateway') {
      f.warning(
        'tag_request',
        'lsp-tag-request-unused',
        'tag_request has an effect only with parent_name, or on localnet and l2gateway ports.',
      );
    }
  }
  if (lsp.parent_name !== undefined) {
    if (lsp.parent_name === lsp.name) {
      f.error('parent_name', 'lsp-parent-self', 'A port cannot be its own parent.');
    } else if (!index.portsByName.has(lsp.parent_name)) {
      f.warning(
        'parent_name',
        'lsp-parent-unknown',
        `parent_name names "${lsp.parent_name}", but no logical switch port has that name.`,
      );
    }
  }
}

function checkReadOnly(lsp: LogicalSwitchPortRow, ctx: LspCheckContext, f: Findings): void {
  const original = ctx.original;
  if (!original && !ctx.isNew) return;
  const changed = (col: 'up' | 'tag' | 'dynamic_addresses'): boolean =>
    original ? lsp[col] !== original[col] : lsp[col] !== undefined;
  for (const col of ['up', 'tag', 'dynamic_addresses'] as const) {
    if (changed(col)) f.error(col, 'lsp-read-only', `${col} is written by ovn-northd; do not set it.`);
  }
}

function checkSwitchUniqueness(
  lsp: LogicalSwitchPortRow,
  ctx: LspCheckContext,
  f: Findings,
  index: SnapshotIndex,
): void {
  const switches = ctx.logicalSwitch !== undefined ? [ctx.logicalSwitch] : (index.switchesOfPort.get(lsp.uuid) ?? []);
  if (switches.length > 1) {
    f.error(
      'name',
      'lsp-on-several-switches',
      `The port is in the ports of ${switches.length} logical switches; a port belongs to one.`,
    );
  }
  for (const sw of switches) {
    const swName = index.switches.get(sw)?.name ?? sw;
    const claims = switchClaims(sw, index);
    for (const [key, text] of claimedIps(lsp)) {
      const other = claims.ips.get(key)?.find((p) => p.uuid !== lsp.uuid);
      if (!other) continue;
      f.error(
        'addresses',
        'lsp-duplicate-ip',
        `${text} is already used by port ${other.name} on logical switch ${swName}.`,
      );
    }
    for (const [mac, vrrp] of claimedMacs(lsp)) {
      const other = vrrp ? undefined : claims.macs.get(mac)?.find((p) => p.uuid !== lsp.uuid);
      if (!other) continue;
      f.warning(
        'addresses',
        'lsp-duplicate-mac',
        `${formatMac(mac)} is also an address of port ${other.name} on logical switch ${swName}.`,
      );
    }
  }
}

interface SwitchClaims {
  readonly ips: Map<string, LogicalSwitchPortRow[]>;
  readonly macs: Map<bigint, LogicalSwitchPortRow[]>;
}

// Who claims which address on each switch, built once per snapshot: checking every port against every other
// port of its switch directly is quadratic (200-port switches made the lint take half a minute).
const claimsCache = new WeakMap<SnapshotIndex, Map<string, SwitchClaims>>();

function switchClaims(sw: string, index: SnapshotIndex): SwitchClaims {
  let perIndex = claimsCache.get(index);
  if (!perIndex) {
    perIndex = new Map();
    claimsCache.set(index, perIndex);
  }
  const hit = perIndex.get(sw);
  if (hit) return hit;
  const claims: SwitchClaims = { ips: new Map(), macs: new Map() };
  for (const uuid of index.switches.get(sw)?.ports ?? []) {
    const port = index.ports.get(uuid);
    if (!port) continue;
    for (const key of claimedIps(port).keys()) claims.ips.set(key, [...(claims.ips.get(key) ?? []), port]);
    for (const mac of claimedMacs(port).keys()) claims.macs.set(mac, [...(claims.macs.get(mac) ?? []), port]);
  }
  perIndex.set(sw, claims);
  return claims;
}

export function checkLogicalSwitchPort(lsp: LogicalSwitchPortRow, ctx: LspCheckContext): RuleResult {
  const index = indexSnapshot(ctx.snapshot);
  const f = new Findings();
  if (lsp.name.trim() === '') {
    f.error('name', 'lsp-name-empty', 'A logical switch port needs a name.');
  } else {
    const twins = (index.portsByName.get(lsp.name) ?? []).filter((p) => p.uuid !== lsp.uuid);
    if (twins.length > 0) f.error('name', 'lsp-name-duplicate', `Another logical switch port is named "${lsp.name}".`);
    if (index.snapshot.logicalRouterPorts?.some((p) => p.name === lsp.name)) {
      f.error(
        'name',
        'lsp-name-clashes-lrp',
        `A logical router port is also named "${lsp.name}"; OVN needs port names unique across both.`,
      );
    }
  }
  checkTypeAndOptions(lsp, f, index);
  const addresses = checkAddresses(lsp, f);
  checkPortSecurity(lsp, addresses, f);
  checkContainer(lsp, f, index);
  checkReadOnly(lsp, ctx, f);
  checkSwitchUniqueness(lsp, ctx, f, index);
  warnIfCmsOwned(f, lsp.external_ids, 'logical switch port');
  if (lsp.type === 'remote') {
    f.warning('type', 'cms-owned', 'Ports of type remote are created by ovn-ic, which overwrites any change to them.');
  }
  return f.result();
}
