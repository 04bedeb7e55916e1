/**
 * The OVN Northbound rows the lint and the guided editors read, as `@ovsdb-web/ovn`'s plain snapshot, made
 * from a monitor cache (typed rows: sets are arrays, maps are Maps, an empty optional value is an empty array).
 */
import { isMapDatum, isSetDatum, type Atom, type Datum, type Row } from '@ovsdb-web/client';
import type {
  AclRow,
  AddressSetRow,
  LogicalRouterPortRow,
  LogicalSwitchPortRow,
  LogicalSwitchRow,
  MeterRow,
  NbSnapshot,
  PortGroupRow,
} from '@ovsdb-web/ovn';

export interface RowSource {
  rows(table: string): Row[];
  hasTable(table: string): boolean;
}

const str = (d: Datum | undefined): string => (typeof d === 'string' ? d : '');
function opt<T extends Atom>(d: Datum | undefined, is: (a: Atom) => a is T): T | undefined {
  if (d === undefined || isMapDatum(d)) return undefined;
  const a = isSetDatum(d) ? d[0] : d;
  return a !== undefined && is(a) ? a : undefined;
}
const isString = (a: Atom): a is string => typeof a === 'string';
const isBool = (a: Atom): a is boolean => typeof a === 'boolean';
const isInt = (a: Atom): a is number => typeof a === 'number';
function num(d: Datum | undefined): number {
  if (typeof d === 'number') return d;
  if (typeof d === 'bigint') return Number(d);
  return 0;
}
function strings(d: Datum | undefined): string[] {
  if (Array.isArray(d)) return d.filter((a): a is string => typeof a === 'string');
  return typeof d === 'string' ? [d] : [];
}
function smap(d: Datum | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (d instanceof Map) for (const [k, v] of d) if (typeof k === 'string' && typeof v === 'string') out.set(k, v);
  return out;
}

export function nbSnapshot(src: RowSource, opts: { aclTiers?: boolean } = {}): NbSnapshot {
  const acls: AclRow[] = src.rows('ACL').map((r) => ({
    uuid: r._uuid as string,
    name: opt(r.name, isString),
    priority: num(r.priority),
    direction: str(r.direction),
    match: str(r.match),
    action: str(r.action),
    log: r.log === true,
    severity: opt(r.severity, isString),
    meter: opt(r.meter, isString),
    label: num(r.label),
    ...(opts.aclTiers ? { tier: num(r.tier) } : {}),
    options: smap(r.options),
    external_ids: smap(r.external_ids),
  }));
  const logicalSwitches: LogicalSwitchRow[] = src.rows('Logical_Switch').map((r) => ({
    uuid: r._uuid as string,
    name: str(r.name),
    ports: strings(r.ports),
    acls: strings(r.acls),
    load_balancer: strings(r.load_balancer),
    load_balancer_group: strings(r.load_balancer_group),
    other_config: smap(r.other_config),
    external_ids: smap(r.external_ids),
  }));
  const logicalSwitchPorts: LogicalSwitchPortRow[] = src.rows('Logical_Switch_Port').map((r) => ({
    uuid: r._uuid as string,
    name: str(r.name),
    type: str(r.type),
    options: smap(r.options),
    parent_name: opt(r.parent_name, isString),
    tag_request: opt(r.tag_request, isInt),
    tag: opt(r.tag, isInt),
    addresses: strings(r.addresses),
    dynamic_addresses: opt(r.dynamic_addresses, isString),
    port_security: strings(r.port_security),
    up: opt(r.up, isBool),
    enabled: opt(r.enabled, isBool),
    external_ids: smap(r.external_ids),
  }));
  const portGroups: PortGroupRow[] = src.rows('Port_Group').map((r) => ({
    uuid: r._uuid as string,
    name: str(r.name),
    ports: strings(r.ports),
    acls: strings(r.acls),
    external_ids: smap(r.external_ids),
  }));
  const addressSets: AddressSetRow[] = src.rows('Address_Set').map((r) => ({
    uuid: r._uuid as string,
    name: str(r.name),
    addresses: strings(r.addresses),
    external_ids: smap(r.external_ids),
  }));
  const meters: MeterRow[] = src.rows('Meter').map((r) => ({
    uuid: r._uuid as string,
    name: str(r.name),
    unit: str(r.unit),
    bands: strings(r.bands),
    fair: opt(r.fair, isBool),
    external_ids: smap(r.external_ids),
  }));
  const logicalRouterPorts: LogicalRouterPortRow[] | undefined = src.hasTable('Logical_Router_Port')
    ? src
        .rows('Logical_Router_Port')
        .map((r) => ({ uuid: r._uuid as string, name: str(r.name), mac: str(r.mac), networks: strings(r.networks) }))
    : undefined;
  return {
    acls,
    logicalSwitches,
    logicalSwitchPorts,
    portGroups,
    addressSets,
    meters,
    ...(logicalRouterPorts ? { logicalRouterPorts } : {}),
    aclTiers: opts.aclTiers === true,
  };
}

/** The tables the snapshot reads (a lint monitor asks for these only). */
export const NB_LINT_TABLES = [
  'ACL',
  'Logical_Switch',
  'Logical_Switch_Port',
  'Port_Group',
  'Address_Set',
  'Meter',
  'Logical_Router_Port',
] as const;
