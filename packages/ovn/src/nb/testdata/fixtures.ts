// Row builders for the rule tests: every column filled with its empty value unless given.
import type {
  AclRow,
  AddressSetRow,
  LogicalRouterPortRow,
  LogicalSwitchPortRow,
  LogicalSwitchRow,
  MeterRow,
  NbSnapshot,
  PortGroupRow,
} from '../types.js';

type Init<T> = Partial<Omit<T, 'uuid'>> & { uuid: string };

export const map = (entries: Record<string, string> = {}): ReadonlyMap<string, string> =>
  new Map(Object.entries(entries));

export function acl(init: Init<AclRow>): AclRow {
  return {
    name: undefined,
    priority: 100,
    direction: 'to-lport',
    match: 'ip4',
    action: 'drop',
    log: false,
    severity: undefined,
    meter: undefined,
    label: 0,
    options: map(),
    external_ids: map(),
    ...init,
  };
}

export function ls(init: Init<LogicalSwitchRow>): LogicalSwitchRow {
  return {
    name: init.uuid,
    ports: [],
    acls: [],
    load_balancer: [],
    load_balancer_group: [],
    other_config: map(),
    external_ids: map(),
    ...init,
  };
}

export function lsp(init: Init<LogicalSwitchPortRow>): LogicalSwitchPortRow {
  return {
    name: init.uuid,
    type: '',
    options: map(),
    parent_name: undefined,
    tag_request: undefined,
    tag: undefined,
    addresses: [],
    dynamic_addresses: undefined,
    port_security: [],
    up: undefined,
    enabled: undefined,
    external_ids: map(),
    ...init,
  };
}

export function pg(init: Init<PortGroupRow>): PortGroupRow {
  return { name: init.uuid, ports: [], acls: [], external_ids: map(), ...init };
}

export function addressSet(init: Init<AddressSetRow>): AddressSetRow {
  return { name: init.uuid, addresses: [], external_ids: map(), ...init };
}

export function meter(init: Init<MeterRow>): MeterRow {
  return { name: init.uuid, unit: 'pktps', bands: ['band'], fair: undefined, external_ids: map(), ...init };
}

export function lrp(init: Init<LogicalRouterPortRow>): LogicalRouterPortRow {
  return { name: init.uuid, mac: '00:00:00:00:ff:01', networks: ['10.0.0.254/24'], ...init };
}

export function snapshot(parts: Partial<NbSnapshot>): NbSnapshot {
  return {
    acls: [],
    logicalSwitches: [],
    logicalSwitchPorts: [],
    portGroups: [],
    addressSets: [],
    meters: [],
    ...parts,
  };
}
