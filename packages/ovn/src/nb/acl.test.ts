import { describe, expect, it } from 'vitest';
import { checkAcl } from './acl.js';
import { acl, addressSet, ls, lsp, map, meter, pg, snapshot } from './testdata/fixtures.js';
import type { AclRow, NbSnapshot, RuleResult } from './types.js';

const ports = [
  lsp({ uuid: 'p1', addresses: ['00:00:00:00:00:01 10.0.0.1'] }),
  lsp({ uuid: 'p2', addresses: ['00:00:00:00:00:02 10.0.0.2'] }),
  lsp({ uuid: 'q1', addresses: ['00:00:00:00:01:01 10.1.0.1'] }),
];

/** sw0 (p1, p2) holding `acls`; sw1 (q1); pg1 = {p1}, pgq = {q1}; meter m1; address set as4. */
function db(acls: readonly AclRow[], extra: Partial<NbSnapshot> = {}, onSw0 = acls.map((a) => a.uuid)): NbSnapshot {
  return snapshot({
    acls,
    logicalSwitches: [ls({ uuid: 'sw0', ports: ['p1', 'p2'], acls: onSw0 }), ls({ uuid: 'sw1', ports: ['q1'] })],
    logicalSwitchPorts: ports,
    portGroups: [pg({ uuid: 'pg1', ports: ['p1'] }), pg({ uuid: 'pgq', ports: ['q1'] })],
    addressSets: [addressSet({ uuid: 'as4', addresses: ['10.0.0.1'] })],
    meters: [meter({ uuid: 'm1' })],
    ...extra,
  });
}

function check(row: AclRow, others: readonly AclRow[] = [], extra: Partial<NbSnapshot> = {}): RuleResult {
  return checkAcl(row, { snapshot: db([row, ...others], extra) });
}

const errorCodes = (r: RuleResult): string[] => r.errors.map((e) => e.code);
const warningCodes = (r: RuleResult): string[] => r.warnings.map((e) => e.code);

describe('checkAcl: columns', () => {
  it('accepts a plain, valid ACL without a word', () => {
    const r = check(
      acl({ uuid: 'a', match: 'outport == "p1" && ip4 && tcp.dst == 22', action: 'drop', priority: 1000 }),
    );
    expect(r).toEqual({ errors: [], warnings: [] });
  });

  it.each<[Partial<AclRow>, string, string]>([
    [{ direction: 'ingress' }, 'direction', 'acl-direction'],
    [{ priority: -1 }, 'priority', 'acl-priority'],
    [{ priority: 32768 }, 'priority', 'acl-priority'],
    [{ priority: 1.5 }, 'priority', 'acl-priority'],
    [{ action: 'deny' }, 'action', 'acl-action'],
    [{ action: 'pass' }, 'action', 'acl-action'],
    [{ name: 'n'.repeat(64) }, 'name', 'acl-name-length'],
    [{ log: true, severity: 'critical' }, 'severity', 'acl-severity'],
    [{ log: true, meter: 'nope' }, 'meter', 'acl-meter-missing'],
    [{ label: -1 }, 'label', 'acl-label-range'],
    [{ label: 4294967296 }, 'label', 'acl-label-range'],
    [{ label: 7, action: 'drop' }, 'label', 'acl-label-action'],
    [{ tier: 1 }, 'tier', 'acl-tier-unsupported'],
  ])('rejects %j in %s (%s)', (init, column, code) => {
    const r = check(acl({ uuid: 'a', ...init }));
    expect(r.errors.map((e) => [e.column, e.code])).toEqual([[column, code]]);
  });

  it.each<Partial<AclRow>>([
    { priority: 0 },
    { priority: 32767 },
    { name: 'n'.repeat(63) },
    { name: 'é'.repeat(63) },
    { log: true, severity: 'alert', meter: 'm1' },
    { label: 4294967295, action: 'allow' },
    { label: 1, action: 'allow-related' },
  ])('accepts %j', (init) => {
    expect(errorCodes(check(acl({ uuid: 'a', ...init })))).toEqual([]);
  });

  it('knows pass and tier 0–3 only where the schema has ACL tiers', () => {
    const tiers = { aclTiers: true };
    expect(errorCodes(check(acl({ uuid: 'a', action: 'pass', tier: 3 }), [], tiers))).toEqual([]);
    expect(errorCodes(check(acl({ uuid: 'a', tier: 4 }), [], tiers))).toEqual(['acl-tier']);
    expect(check(acl({ uuid: 'a', action: 'pass' })).errors[0]?.message).toMatch(/needs ACL tiers/);
  });

  it('warns that severity and meter do nothing without log', () => {
    const r = check(acl({ uuid: 'a', severity: 'info', meter: 'm1' }));
    expect(r.warnings.map((w) => [w.column, w.code])).toEqual([
      ['severity', 'acl-log-setting-unused'],
      ['meter', 'acl-log-setting-unused'],
    ]);
    expect(warningCodes(check(acl({ uuid: 'a', log: true, severity: 'info', meter: 'm1' })))).toEqual([]);
  });
});

describe('checkAcl: options', () => {
  it.each<[Partial<AclRow>, string[]]>([
    [{ direction: 'to-lport', options: map({ 'apply-after-lb': 'true' }) }, ['acl-apply-after-lb-direction']],
    [{ action: 'allow', options: map({ 'persist-established': 'true' }) }, ['acl-persist-established-action']],
    [{ action: 'allow', label: 5, options: map({ 'log-related': 'true' }) }, ['acl-log-related-needs-log']],
    [{ action: 'allow', log: true, options: map({ 'log-related': 'true' }) }, ['acl-log-related-needs-label']],
  ])('rejects %j', (init, codes) => {
    expect(errorCodes(check(acl({ uuid: 'a', ...init })))).toEqual(codes);
  });

  it.each<Partial<AclRow>>([
    { direction: 'from-lport', options: map({ 'apply-after-lb': 'true' }) },
    { direction: 'to-lport', options: map({ 'apply-after-lb': 'false' }) },
    { action: 'allow-related', options: map({ 'persist-established': 'true' }) },
    { action: 'allow', log: true, label: 5, options: map({ 'log-related': 'true' }) },
  ])('accepts %j', (init) => {
    expect(
      errorCodes(check(acl({ uuid: 'a', ...init }), [acl({ uuid: 'b', action: 'allow-related', match: 'arp' })])),
    ).toEqual([]);
  });

  it('needs the log-related label to be unique', () => {
    const mine = acl({ uuid: 'a', action: 'allow', log: true, label: 5, options: map({ 'log-related': 'true' }) });
    const other = acl({ uuid: 'b', action: 'allow', label: 5, match: 'arp' });
    expect(check(mine, [other]).errors.map((e) => [e.column, e.code])).toEqual([
      ['label', 'acl-log-related-label-not-unique'],
    ]);
  });

  it('warns about options OVN does not know and values that are not booleans', () => {
    const r = check(
      acl({ uuid: 'a', direction: 'from-lport', options: map({ 'apply-after-lb': 'yes', colour: 'red' }) }),
    );
    expect(warningCodes(r).sort()).toEqual(['acl-option-value', 'acl-unknown-option']);
  });
});

describe('checkAcl: the match', () => {
  it('reports OVN parse errors at their offset', () => {
    const r = check(acl({ uuid: 'a', match: 'ip4 && tcp || udp' }));
    expect(r.errors).toEqual([
      {
        column: 'match',
        code: 'mixed-and-or',
        message: '&& and || must be parenthesized when used together.',
        offset: 11,
      },
    ]);
  });

  it('checks referenced names against the database', () => {
    expect(errorCodes(check(acl({ uuid: 'a', match: 'ip4.src == $nope' })))).toEqual(['unknown-address-set']);
    expect(errorCodes(check(acl({ uuid: 'a', match: 'outport == @nope' })))).toEqual(['unknown-port-group']);
    expect(errorCodes(check(acl({ uuid: 'a', match: 'ip4.src == $as4 && outport == @pg1' })))).toEqual([]);
    expect(check(acl({ uuid: 'a', match: 'outport == "ghost"' })).warnings).toEqual([
      { column: 'match', code: 'unknown-port', message: 'No logical switch port is named "ghost".', offset: 11 },
    ]);
  });

  it('allows outport only in to-lport ACLs', () => {
    const r = check(acl({ uuid: 'a', direction: 'from-lport', match: 'ip4 && outport == "p1"' }));
    expect(r.errors.map((e) => [e.code, e.offset])).toEqual([['acl-outport-from-lport', 7]]);
    expect(errorCodes(check(acl({ uuid: 'a', direction: 'to-lport', match: 'ip4 && outport == "p1"' })))).toEqual([]);
    expect(errorCodes(check(acl({ uuid: 'a', direction: 'from-lport', match: 'inport == "p1"' })))).toEqual([]);
  });

  it('refuses a // comment that runs to the end of the match', () => {
    expect(errorCodes(check(acl({ uuid: 'a', match: 'ip4 // web' })))).toEqual(['acl-match-line-comment']);
    expect(errorCodes(check(acl({ uuid: 'a', match: 'ip4 // web\n' })))).toEqual([]);
    expect(errorCodes(check(acl({ uuid: 'a', match: 'ip4 /* web */' })))).toEqual([]);
  });

  it('warns when an unresolvable @group would take other parts of the match down with it', () => {
    const r = check(acl({ uuid: 'a', match: 'outport == @pgq || ip6' }));
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => [w.code, w.offset])).toEqual([['acl-port-group-not-on-switch', 11]]);
    expect(warningCodes(check(acl({ uuid: 'a', match: 'outport == {@pgq, "p1"}' })))).toEqual([
      'acl-port-group-not-on-switch',
    ]);
    expect(warningCodes(check(acl({ uuid: 'a', match: 'outport == @pgq && ip4' })))).toEqual([]);
    expect(warningCodes(check(acl({ uuid: 'a', match: 'outport == @pg1 || ip6' })))).toEqual([]);
  });
});

describe('checkAcl: against the other ACLs of the switch', () => {
  it('finds a duplicate: same direction, priority and match, however spaced or commented', () => {
    const a = acl({ uuid: 'a', match: 'ip4 && tcp.dst == 80', priority: 100, action: 'allow' });
    const b = acl({ uuid: 'b', match: 'ip4&&tcp.dst==80 /* web */', priority: 100, action: 'drop' });
    expect(check(a, [b]).errors.map((e) => e.code)).toEqual(['acl-duplicate']);
    expect(check(a, [b]).warnings.map((e) => e.code)).toEqual([]);
    expect(errorCodes(check(a, [{ ...b, priority: 101 }]))).toEqual([]);
    expect(errorCodes(check(a, [{ ...b, direction: 'from-lport' }]))).toEqual([]);
  });

  it('tells tiers and the after-LB stage apart', () => {
    const a = acl({ uuid: 'a', direction: 'from-lport', match: 'ip4', tier: 0 });
    const b = acl({ uuid: 'b', direction: 'from-lport', match: 'ip4', tier: 1 });
    expect(errorCodes(check(a, [b], { aclTiers: true }))).toEqual([]);
    const c = acl({ uuid: 'c', direction: 'from-lport', match: 'ip4', options: map({ 'apply-after-lb': 'true' }) });
    expect(errorCodes(check(acl({ uuid: 'a', direction: 'from-lport', match: 'ip4' }), [c]))).toEqual([]);
  });

  it('warns about an overlap at the same priority with a different action', () => {
    const a = acl({ uuid: 'a', match: 'ip4.src == 10.0.0.0/8', priority: 100, action: 'allow' });
    const b = acl({ uuid: 'b', match: 'ip4 && tcp.dst == 22', priority: 100, action: 'drop' });
    expect(warningCodes(check(a, [b]))).toEqual(['acl-overlap']);
    expect(warningCodes(check(a, [{ ...b, match: 'ip6' }]))).toEqual([]);
    expect(warningCodes(check(a, [{ ...b, action: 'allow' }]))).toEqual([]);
  });

  it('warns when a higher-priority ACL matches everything this one does', () => {
    const low = acl({ uuid: 'low', match: 'ip4 && tcp.dst == 22', priority: 100, action: 'allow' });
    const high = acl({ uuid: 'high', match: 'ip4.src == 0.0.0.0/0', priority: 200, action: 'drop' });
    const r = check(low, [high]);
    expect(r.warnings.map((w) => w.code)).toEqual(['acl-shadowed']);
    expect(r.warnings[0]?.message).toMatch(/never takes effect/);
    expect(warningCodes(check(high, [low]))).toEqual([]);
    expect(warningCodes(check(low, [{ ...high, match: 'ip4 && tcp' }]))).toEqual(['acl-shadowed']);
    expect(warningCodes(check(low, [{ ...high, match: 'ip4 && udp' }]))).toEqual([]);
  });

  it('does not order allow-stateless against stateful ACLs by priority', () => {
    const low = acl({ uuid: 'low', match: 'ip4 && tcp', priority: 100, action: 'drop' });
    const high = acl({ uuid: 'high', match: 'ip4', priority: 200, action: 'allow-stateless' });
    expect(warningCodes(check(low, [high]))).toEqual([]);
  });

  it('compares with the ACLs of port groups that have ports on the same switch', () => {
    const mine = acl({ uuid: 'a', match: 'ip4 && tcp.dst == 22', priority: 100, action: 'allow' });
    const fromGroup = acl({ uuid: 'g', match: 'ip4', priority: 500, action: 'drop' });
    const s = db([mine, fromGroup], { portGroups: [pg({ uuid: 'pg1', ports: ['p1'], acls: ['g'] })] }, ['a']);
    expect(warningCodes(checkAcl(mine, { snapshot: s }))).toEqual(['acl-shadowed']);
    const elsewhere = db([mine, fromGroup], { portGroups: [pg({ uuid: 'pg1', ports: ['q1'], acls: ['g'] })] }, ['a']);
    expect(warningCodes(checkAcl(mine, { snapshot: elsewhere }))).toEqual([]);
  });

  it('checks an ACL that is not in the database yet where it is about to go', () => {
    const existing = acl({ uuid: 'a', match: 'ip4', priority: 100 });
    const s = db([existing]);
    const fresh = acl({ uuid: 'new', match: ' ip4 ', priority: 100 });
    expect(
      errorCodes(checkAcl(fresh, { snapshot: s, attachedTo: [{ table: 'Logical_Switch', uuid: 'sw0' }] })),
    ).toEqual(['acl-duplicate']);
    expect(errorCodes(checkAcl(fresh, { snapshot: s }))).toEqual([]);
  });

  it('warns that the first allow-related ACL makes the switch stateful', () => {
    const first = acl({ uuid: 'a', action: 'allow-related', match: 'ip4' });
    expect(warningCodes(check(first))).toEqual(['acl-first-stateful']);
    expect(warningCodes(check(first, [acl({ uuid: 'b', action: 'allow-related', match: 'arp' })]))).toEqual([]);
    const withLb = snapshot({
      ...db([first]),
      logicalSwitches: [ls({ uuid: 'sw0', ports: ['p1'], acls: ['a'], load_balancer: ['lb'] })],
    });
    expect(warningCodes(checkAcl(first, { snapshot: withLb }))).toEqual([]);
  });

  it('warns about connection-tracking fields where no connection tracking happens', () => {
    expect(warningCodes(check(acl({ uuid: 'a', action: 'allow-stateless', match: 'ct.est' })))).toEqual([
      'acl-ct-without-conntrack',
    ]);
    expect(warningCodes(check(acl({ uuid: 'a', action: 'drop', match: 'ct.inv' })))).toEqual([
      'acl-ct-without-conntrack',
    ]);
    const stateful = acl({ uuid: 'b', action: 'allow-related', match: 'arp', priority: 1 });
    expect(warningCodes(check(acl({ uuid: 'a', action: 'drop', match: 'ct.inv' }), [stateful]))).toEqual([]);
  });
});

describe('checkAcl: ownership', () => {
  it('warns before editing a row a CMS manages, naming it', () => {
    const r = check(acl({ uuid: 'a', external_ids: map({ 'neutron:security_group_rule_id': 'x' }) }));
    expect(r.warnings).toEqual([
      {
        column: 'external_ids',
        code: 'cms-owned',
        message: expect.stringMatching(/OpenStack Neutron \(external_ids:neutron:security_group_rule_id\)/),
      },
    ]);
    expect(check(acl({ uuid: 'a', external_ids: map({ 'k8s.ovn.org/name': 'np' }) })).warnings[0]?.message).toMatch(
      /ovn-kubernetes/,
    );
    expect(warningCodes(check(acl({ uuid: 'a', external_ids: map({ owner: 'me' }) })))).toEqual([]);
  });
});
