import { describe, expect, it } from 'vitest';
import { checkPortGroup } from './port-group.js';
import { acl, addressSet, lsp, map, pg, snapshot } from './testdata/fixtures.js';
import type { PortGroupRow, RuleResult } from './types.js';

const base = { logicalSwitchPorts: [lsp({ uuid: 'p1' })], acls: [acl({ uuid: 'a1' })] };

function check(group: PortGroupRow, others: readonly PortGroupRow[] = [], extra = {}): RuleResult {
  return checkPortGroup(group, { snapshot: snapshot({ ...base, portGroups: [group, ...others], ...extra }) });
}

const codes = (r: RuleResult): string[][] => [...r.errors, ...r.warnings].map((p) => [p.column, p.code]);

describe('checkPortGroup', () => {
  it('accepts a group with a usable name and existing ports', () => {
    expect(check(pg({ uuid: 'g', name: 'web_servers.v2', ports: ['p1'], acls: ['a1'] }))).toEqual({
      errors: [],
      warnings: [],
    });
  });

  it.each(['', 'web-servers', '1web', 'web servers'])('refuses the name %j, which a match cannot refer to', (name) => {
    expect(check(pg({ uuid: 'g', name })).errors.map((e) => e.column)).toEqual(['name']);
  });

  it('needs a unique name', () => {
    expect(codes(check(pg({ uuid: 'g', name: 'web' }), [pg({ uuid: 'h', name: 'web' })]))).toEqual([
      ['name', 'pg-name-duplicate'],
    ]);
  });

  it('refuses references to rows that do not exist', () => {
    expect(codes(check(pg({ uuid: 'g', ports: ['ghost'], acls: ['gone'] })))).toEqual([
      ['ports', 'dangling-reference'],
      ['acls', 'dangling-reference'],
      ['acls', 'pg-acls-without-ports'],
    ]);
  });

  it('warns that ACLs on a group without ports apply nowhere', () => {
    expect(codes(check(pg({ uuid: 'g', acls: ['a1'] })))).toEqual([['acls', 'pg-acls-without-ports']]);
  });

  it('warns when its derived address set names are taken', () => {
    const r = check(pg({ uuid: 'g', name: 'web' }), [], { addressSets: [addressSet({ uuid: 's', name: 'web_ip4' })] });
    expect(codes(r)).toEqual([['name', 'address-set-name-collision']]);
  });

  it('warns before editing a group a CMS manages', () => {
    expect(codes(check(pg({ uuid: 'g', external_ids: map({ 'k8s.ovn.org/id': 'x' }) })))).toEqual([
      ['external_ids', 'cms-owned'],
    ]);
  });
});
