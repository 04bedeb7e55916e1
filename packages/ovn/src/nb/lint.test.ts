import { describe, expect, it } from 'vitest';
import { lintNorthbound } from './lint.js';
import { acl, addressSet, ls, lsp, map, meter, pg, snapshot } from './testdata/fixtures.js';

/** A database with one of each mistake, and rows that are fine around them. */
const db = snapshot({
  logicalSwitches: [
    ls({
      uuid: 'sw0',
      ports: ['p1', 'p2', 'p3'],
      acls: [
        'a-ok',
        'a-bad',
        'a-noset',
        'a-emptyset',
        'a-emptypg',
        'a-dup1',
        'a-dup2',
        'a-high',
        'a-low',
        'a-ov1',
        'a-ov2',
        'a-meter',
        'a-fromout',
        'a-label',
        'a-ghost',
        'a-owned',
      ],
    }),
    ls({ uuid: 'sw1', ports: ['q1', 'p4'], acls: ['ghost-acl'] }),
  ],
  logicalSwitchPorts: [
    lsp({ uuid: 'p1', addresses: ['00:00:00:00:00:01 10.0.0.1'] }),
    lsp({ uuid: 'p2', addresses: ['00:00:00:00:00:02 10.0.0.1'] }),
    lsp({ uuid: 'p3', type: 'router' }),
    lsp({ uuid: 'q1', addresses: ['00:00:00:00:01:01 10.1.0.1'], external_ids: map({ 'neutron:port_name': 'vm' }) }),
    lsp({ uuid: 'p4', addresses: ['bogus'] }),
  ],
  acls: [
    acl({ uuid: 'a-ok', priority: 1000, match: 'outport == "p1" && ip4 && tcp.dst == 22' }),
    acl({ uuid: 'a-bad', priority: 900, match: 'ip4 && tcp || udp' }),
    acl({ uuid: 'a-noset', priority: 901, match: 'ip4.src == $nope' }),
    acl({ uuid: 'a-emptyset', priority: 902, match: 'ip4.src == $empty && tcp' }),
    acl({ uuid: 'a-emptypg', priority: 903, match: 'outport == @emptypg && ip4' }),
    acl({ uuid: 'a-dup1', priority: 800, match: 'ip6 && udp.dst == 53' }),
    acl({ uuid: 'a-dup2', priority: 800, match: 'ip6&&udp.dst==53' }),
    acl({ uuid: 'a-high', priority: 700, match: 'ip4.src == 10.0.0.0/8', action: 'allow' }),
    acl({ uuid: 'a-low', priority: 600, match: 'ip4.src == 10.1.0.0/16 && tcp' }),
    acl({ uuid: 'a-ov1', priority: 500, match: 'tcp.dst == 80', action: 'allow' }),
    acl({ uuid: 'a-ov2', priority: 500, match: 'ip4.dst == 10.0.0.1' }),
    acl({ uuid: 'a-meter', priority: 400, match: 'arp', log: true, meter: 'nope' }),
    acl({ uuid: 'a-fromout', priority: 300, direction: 'from-lport', match: 'outport == "p1"' }),
    acl({ uuid: 'a-label', priority: 200, match: 'udp.src == 7', label: 5 }),
    acl({ uuid: 'a-ghost', priority: 150, match: 'inport == "ghost" && ip4' }),
    acl({
      uuid: 'a-owned',
      priority: 100,
      match: 'icmp4',
      external_ids: map({ 'neutron:security_group_rule_id': 'r' }),
    }),
  ],
  portGroups: [pg({ uuid: 'pg-empty', name: 'emptypg' }), pg({ uuid: 'pg-bad', name: 'web-servers' })],
  addressSets: [
    addressSet({ uuid: 'as-empty', name: 'empty' }),
    addressSet({ uuid: 'as-mixed', name: 'mixed', addresses: ['10.0.0.1', 'fd00::1'] }),
  ],
  meters: [meter({ uuid: 'm1' })],
});

describe('lintNorthbound', () => {
  it('reports each planted mistake, and nothing else', () => {
    const found = lintNorthbound(db).map((p) => [p.table, p.uuid, p.severity, p.column, p.code]);
    expect(found).toEqual([
      ['ACL', 'a-bad', 'error', 'match', 'mixed-and-or'],
      ['ACL', 'a-dup1', 'error', 'match', 'acl-duplicate'],
      ['ACL', 'a-dup2', 'error', 'match', 'acl-duplicate'],
      ['ACL', 'a-emptypg', 'warning', 'match', 'empty-port-group'],
      ['ACL', 'a-emptyset', 'warning', 'match', 'empty-address-set'],
      ['ACL', 'a-fromout', 'error', 'match', 'acl-outport-from-lport'],
      ['ACL', 'a-ghost', 'warning', 'match', 'unknown-port'],
      ['ACL', 'a-label', 'error', 'label', 'acl-label-action'],
      ['ACL', 'a-low', 'warning', 'match', 'acl-shadowed'],
      ['ACL', 'a-meter', 'error', 'meter', 'acl-meter-missing'],
      ['ACL', 'a-noset', 'error', 'match', 'unknown-address-set'],
      ['ACL', 'a-ov1', 'warning', 'match', 'acl-overlap'],
      ['ACL', 'a-ov2', 'warning', 'match', 'acl-overlap'],
      ['Address_Set', 'as-mixed', 'error', 'addresses', 'as-mixed-families'],
      ['Logical_Switch', 'sw1', 'error', 'acls', 'dangling-reference'],
      ['Logical_Switch_Port', 'p1', 'error', 'addresses', 'lsp-duplicate-ip'],
      ['Logical_Switch_Port', 'p2', 'error', 'addresses', 'lsp-duplicate-ip'],
      ['Logical_Switch_Port', 'p3', 'error', 'options', 'lsp-missing-option'],
      ['Logical_Switch_Port', 'p4', 'error', 'addresses', 'address-bad-mac'],
      ['Port_Group', 'pg-bad', 'error', 'name', 'name-not-usable'],
    ]);
  });

  it('names the other row in pairwise findings', () => {
    const problems = lintNorthbound(db);
    expect(problems.find((p) => p.uuid === 'a-low')?.message).toMatch(/matched first by ACL a-high/);
    expect(problems.find((p) => p.uuid === 'a-dup2')?.message).toMatch(
      /Duplicate of ACL a-dup1 .* on logical switch sw0/,
    );
  });

  it('leaves out what only matters before an edit (CMS ownership, the first stateful ACL)', () => {
    const codes = lintNorthbound(db).map((p) => p.code);
    expect(codes).not.toContain('cms-owned');
    const stateful = snapshot({
      ...db,
      acls: [
        ...db.acls.filter((a) => a.uuid !== 'a-ok'),
        acl({ uuid: 'a-ok', action: 'allow-related', match: 'arp', priority: 10 }),
      ],
    });
    expect(lintNorthbound(stateful).map((p) => p.code)).not.toContain('acl-first-stateful');
  });

  it('is stable: the same database gives the same list', () => {
    expect(lintNorthbound(db)).toEqual(lintNorthbound({ ...db, acls: [...db.acls].reverse() }));
  });

  it('finds nothing wrong with an empty database', () => {
    expect(lintNorthbound(snapshot({}))).toEqual([]);
  });
});
