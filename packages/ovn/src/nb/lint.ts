// Every problem in a northbound database, one list, in a stable order.
import { checkAcl } from './acl.js';
import { checkAddressSet } from './address-set.js';
import { checkLogicalSwitchPort } from './lsp.js';
import { checkPortGroup } from './port-group.js';
import { indexSnapshot } from './snapshot-index.js';
import type { LintProblem, NbSnapshot, RuleResult } from './types.js';

/**
 * Findings that only matter when someone is about to edit a row (who owns it, what the edit would switch on),
 * not problems of the database as it stands.
 */
const EDIT_TIME_CODES = new Set(['cms-owned', 'acl-first-stateful']);

function collect(out: LintProblem[], table: string, uuid: string, r: RuleResult): void {
  for (const [severity, list] of [
    ['error', r.errors],
    ['warning', r.warnings],
  ] as const) {
    for (const p of list) {
      if (EDIT_TIME_CODES.has(p.code)) continue;
      out.push({ severity, table, uuid, column: p.column, code: p.code, message: p.message });
    }
  }
}

function compare(a: LintProblem, b: LintProblem): number {
  const keys = (p: LintProblem): string[] => [
    p.table,
    p.uuid,
    p.severity === 'error' ? '0' : '1',
    p.column ?? '',
    p.code,
    p.message,
  ];
  const ka = keys(a);
  const kb = keys(b);
  for (let i = 0; i < ka.length; i++) {
    const x = ka[i] ?? '';
    const y = kb[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function lintNorthbound(snapshot: NbSnapshot): LintProblem[] {
  const index = indexSnapshot(snapshot);
  const out: LintProblem[] = [];
  for (const acl of snapshot.acls) collect(out, 'ACL', acl.uuid, checkAcl(acl, { snapshot }));
  for (const lsp of snapshot.logicalSwitchPorts) {
    collect(out, 'Logical_Switch_Port', lsp.uuid, checkLogicalSwitchPort(lsp, { snapshot }));
  }
  for (const pg of snapshot.portGroups) collect(out, 'Port_Group', pg.uuid, checkPortGroup(pg, { snapshot }));
  for (const as of snapshot.addressSets) collect(out, 'Address_Set', as.uuid, checkAddressSet(as, { snapshot }));
  for (const ls of snapshot.logicalSwitches) {
    for (const uuid of ls.ports) {
      if (!index.ports.has(uuid)) {
        out.push({
          severity: 'error',
          table: 'Logical_Switch',
          uuid: ls.uuid,
          column: 'ports',
          code: 'dangling-reference',
          message: `ports refers to ${uuid}, which is not a logical switch port.`,
        });
      }
    }
    for (const uuid of ls.acls) {
      if (!index.acls.has(uuid)) {
        out.push({
          severity: 'error',
          table: 'Logical_Switch',
          uuid: ls.uuid,
          column: 'acls',
          code: 'dangling-reference',
          message: `acls refers to ${uuid}, which is not an ACL.`,
        });
      }
    }
  }
  return out.sort(compare);
}
