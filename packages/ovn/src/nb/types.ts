// A plain-data view of the OVN_Northbound tables the rules read, with the column names and meanings of
// /usr/share/ovn/ovn-nb.ovsschema (OVN 23.03, schema 7.0.0). Any cache can fill it: rows carry their uuid,
// uuid references are uuid strings, sets are arrays, maps are Maps, an empty optional column is undefined.

type Strings = readonly string[];
type StringMap = ReadonlyMap<string, string>;

export interface AclRow {
  readonly uuid: string;
  readonly name: string | undefined;
  readonly priority: number;
  readonly direction: string;
  readonly match: string;
  readonly action: string;
  readonly log: boolean;
  readonly severity: string | undefined;
  readonly meter: string | undefined;
  readonly label: number;
  /** Not in OVN 23.03's schema (added with the `pass` action in 23.06); leave out or undefined there. */
  readonly tier?: number | undefined;
  readonly options: StringMap;
  readonly external_ids: StringMap;
}

export interface LogicalSwitchRow {
  readonly uuid: string;
  readonly name: string;
  readonly ports: Strings;
  readonly acls: Strings;
  /** Load balancers make a switch stateful; leave out when unknown (the rules then assume they might). */
  readonly load_balancer?: Strings | undefined;
  readonly load_balancer_group?: Strings | undefined;
  readonly other_config: StringMap;
  readonly external_ids: StringMap;
}

export interface LogicalSwitchPortRow {
  readonly uuid: string;
  readonly name: string;
  readonly type: string;
  readonly options: StringMap;
  readonly parent_name: string | undefined;
  readonly tag_request: number | undefined;
  /** Read-only: written by ovn-northd. */
  readonly tag: number | undefined;
  readonly addresses: Strings;
  /** Read-only: written by ovn-northd. */
  readonly dynamic_addresses: string | undefined;
  readonly port_security: Strings;
  /** Read-only: written by ovn-northd. */
  readonly up: boolean | undefined;
  readonly enabled: boolean | undefined;
  readonly external_ids: StringMap;
}

export interface PortGroupRow {
  readonly uuid: string;
  readonly name: string;
  /** Weak references to Logical_Switch_Port rows. */
  readonly ports: Strings;
  readonly acls: Strings;
  readonly external_ids: StringMap;
}

export interface AddressSetRow {
  readonly uuid: string;
  readonly name: string;
  readonly addresses: Strings;
  readonly external_ids: StringMap;
}

export interface MeterRow {
  readonly uuid: string;
  readonly name: string;
  readonly unit: string;
  readonly bands: Strings;
  readonly fair: boolean | undefined;
  readonly external_ids: StringMap;
}

export interface LogicalRouterPortRow {
  readonly uuid: string;
  readonly name: string;
  readonly mac: string;
  readonly networks: Strings;
}

export interface NbSnapshot {
  readonly acls: readonly AclRow[];
  readonly logicalSwitches: readonly LogicalSwitchRow[];
  readonly logicalSwitchPorts: readonly LogicalSwitchPortRow[];
  readonly portGroups: readonly PortGroupRow[];
  readonly addressSets: readonly AddressSetRow[];
  readonly meters: readonly MeterRow[];
  /** When given, `options:router-port` of router-type ports and LSP/LRP name clashes are checked. */
  readonly logicalRouterPorts?: readonly LogicalRouterPortRow[] | undefined;
  /**
   * The database has ACL.tier and the `pass` action (OVN 23.06 and later). Default false: OVN 23.03, whose
   * schema has neither. nbFeaturesFromSchema() tells from a schema.
   */
  readonly aclTiers?: boolean | undefined;
}

/** A problem with one column of one row. */
export interface Problem {
  readonly column: string;
  readonly message: string;
  readonly code: string;
  /** Offset into the column's text (for a match, the 0-based position of the problem). */
  readonly offset?: number;
}

export interface RuleResult {
  readonly errors: Problem[];
  readonly warnings: Problem[];
}

export interface LintProblem {
  readonly severity: 'error' | 'warning';
  readonly table: string;
  readonly uuid: string;
  readonly column?: string;
  readonly code: string;
  readonly message: string;
}

/** Where an ACL hangs: the `acls` column of a logical switch or of a port group. */
export interface AclOwner {
  readonly table: 'Logical_Switch' | 'Port_Group';
  readonly uuid: string;
}

/** Whether a schema (as returned by get_schema) has the ACL tier column, i.e. is OVN 23.06 or later. */
export function nbFeaturesFromSchema(schema: unknown): { aclTiers: boolean } {
  const tables = isRecord(schema) ? schema.tables : undefined;
  const acl = isRecord(tables) ? tables.ACL : undefined;
  const columns = isRecord(acl) ? acl.columns : undefined;
  return { aclTiers: isRecord(columns) && 'tier' in columns };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
