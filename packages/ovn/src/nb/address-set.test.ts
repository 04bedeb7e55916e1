import { describe, expect, it } from 'vitest';
import { checkAddressSet } from './address-set.js';
import { addressSet, map, pg, snapshot } from './testdata/fixtures.js';
import type { AddressSetRow, RuleResult } from './types.js';

function check(set: AddressSetRow, others: readonly AddressSetRow[] = [], extra = {}): RuleResult {
  return checkAddressSet(set, { snapshot: snapshot({ addressSets: [set, ...others], ...extra }) });
}

const codes = (r: RuleResult): string[][] => [...r.errors, ...r.warnings].map((p) => [p.column, p.code]);

describe('checkAddressSet', () => {
  it.each<readonly string[]>([
    ['10.0.0.1', '10.0.0.0/8', '192.168.0.0/255.255.0.0'],
    ['fd00::1', 'fd00::/64'],
    ['00:00:00:00:00:01', '00:00:00:00:00:00/ff:ff:ff:00:00:00'],
    [],
  ])('accepts one family: %j', (...addresses) => {
    expect(check(addressSet({ uuid: 's', name: 'set1', addresses }))).toEqual({ errors: [], warnings: [] });
  });

  it('refuses a set that mixes address families', () => {
    const r = check(addressSet({ uuid: 's', addresses: ['10.0.0.1', 'fd00::1'] }));
    expect(codes(r)).toEqual([['addresses', 'as-mixed-families']]);
    expect(r.errors[0]?.message).toMatch(/IPv4 \(e\.g\. 10\.0\.0\.1\), IPv6 \(e\.g\. fd00::1\)/);
  });

  it('refuses entries OVN cannot read, or reads only in part', () => {
    const r = check(addressSet({ uuid: 's', addresses: ['web', '10.0.0.300', '10.0.0.1 10.0.0.2'] }));
    expect(r.errors.map((e) => e.message)).toEqual([
      '"web" is not an address OVN can read; OVN drops it.',
      '"10.0.0.300" is not an address OVN can read (Invalid numeric constant.); OVN drops it.',
      '"10.0.0.1 10.0.0.2": OVN reads only "10.0.0.1" and ignores the rest.',
    ]);
  });

  it('warns about host bits outside the mask', () => {
    expect(check(addressSet({ uuid: 's', addresses: ['10.0.0.1/8'] })).warnings[0]?.message).toMatch(
      /OVN uses 10\.0\.0\.0\/8/,
    );
  });

  it('needs a usable, unique name', () => {
    expect(codes(check(addressSet({ uuid: 's', name: 'web-ips' })))).toEqual([['name', 'name-not-usable']]);
    expect(codes(check(addressSet({ uuid: 's', name: 'a' }), [addressSet({ uuid: 't', name: 'a' })]))).toEqual([
      ['name', 'as-name-duplicate'],
    ]);
  });

  it('warns when the name is one ovn-northd uses for its own sets', () => {
    expect(
      codes(check(addressSet({ uuid: 's', name: 'web_ip4' }), [], { portGroups: [pg({ uuid: 'g', name: 'web' })] })),
    ).toEqual([['name', 'address-set-name-collision']]);
    expect(codes(check(addressSet({ uuid: 's', name: 'svc_monitor_mac' })))).toEqual([
      ['name', 'address-set-name-collision'],
    ]);
  });

  it('warns before editing a set a CMS manages', () => {
    expect(codes(check(addressSet({ uuid: 's', external_ids: map({ 'neutron:security_group_id': 'x' }) })))).toEqual([
      ['external_ids', 'cms-owned'],
    ]);
  });
});
