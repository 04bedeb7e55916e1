import { describe, expect, it } from 'vitest';
import { checkLogicalSwitchPort, type LspCheckContext } from './lsp.js';
import { lrp, ls, lsp, map, snapshot } from './testdata/fixtures.js';
import type { LogicalSwitchPortRow, NbSnapshot, RuleResult } from './types.js';

const neighbour = lsp({ uuid: 'n1', addresses: ['00:00:00:00:00:0a 10.0.0.10 fd00::10'] });

function db(port: LogicalSwitchPortRow, extra: Partial<NbSnapshot> = {}): NbSnapshot {
  return snapshot({
    logicalSwitches: [ls({ uuid: 'sw0', ports: [port.uuid, 'n1'] })],
    logicalSwitchPorts: [port, neighbour],
    logicalRouterPorts: [lrp({ uuid: 'lrp0' })],
    ...extra,
  });
}

function check(init: Partial<LogicalSwitchPortRow>, ctx: Partial<LspCheckContext> = {}): RuleResult {
  const port = lsp({ uuid: 'p', ...init });
  return checkLogicalSwitchPort(port, { snapshot: db(port), ...ctx });
}

const errors = (r: RuleResult): string[][] => r.errors.map((e) => [e.column, e.code]);
const warnings = (r: RuleResult): string[][] => r.warnings.map((e) => [e.column, e.code]);

describe('checkLogicalSwitchPort', () => {
  it('accepts an ordinary VIF port', () => {
    expect(check({ addresses: ['00:00:00:00:00:01 10.0.0.1'], port_security: ['00:00:00:00:00:01 10.0.0.1'] })).toEqual(
      {
        errors: [],
        warnings: [],
      },
    );
  });

  it('needs a unique name, also against router ports', () => {
    const twin = lsp({ uuid: 'twin', name: 'p' });
    const port = lsp({ uuid: 'p' });
    const s = snapshot({ logicalSwitchPorts: [port, twin], logicalRouterPorts: [lrp({ uuid: 'x', name: 'p' })] });
    expect(errors(checkLogicalSwitchPort(port, { snapshot: s }))).toEqual([
      ['name', 'lsp-name-duplicate'],
      ['name', 'lsp-name-clashes-lrp'],
    ]);
    expect(errors(check({ name: ' ' }))).toEqual([['name', 'lsp-name-empty']]);
  });

  it.each<[string, Record<string, string>]>([
    ['router', { 'router-port': 'lrp0' }],
    ['localnet', { network_name: 'physnet1' }],
    ['localport', {}],
    ['l2gateway', { network_name: 'physnet1', 'l2gateway-chassis': 'gw1' }],
    ['vtep', { 'vtep-physical-switch': 'ps', 'vtep-logical-switch': 'ls' }],
    ['external', {}],
    ['virtual', { 'virtual-ip': '10.0.0.100', 'virtual-parents': 'n1' }],
  ])('accepts a %s port with its required options', (type, options) => {
    expect(errors(check({ type, options: map(options) }))).toEqual([]);
  });

  it.each<[string, string[]]>([
    ['router', ['router-port']],
    ['localnet', ['network_name']],
    ['l2gateway', ['network_name', 'l2gateway-chassis']],
    ['vtep', ['vtep-physical-switch', 'vtep-logical-switch']],
    ['virtual', ['virtual-ip', 'virtual-parents']],
  ])('needs the options of a %s port', (type, keys) => {
    const r = check({ type });
    expect(r.errors.map((e) => e.code)).toEqual(keys.map(() => 'lsp-missing-option'));
    keys.forEach((k, i) => expect(r.errors[i]?.message).toContain(`options:${k}`));
  });

  it('knows only the port types of OVN 23.03', () => {
    expect(errors(check({ type: 'switch' }))).toEqual([['type', 'lsp-type']]);
    expect(errors(check({ type: 'patch' }))).toEqual([['type', 'lsp-type']]);
  });

  it('checks the values of type-specific options', () => {
    expect(warnings(check({ type: 'router', options: map({ 'router-port': 'nope' }) }))).toEqual([
      ['options', 'lsp-router-port-unknown'],
    ]);
    expect(
      errors(check({ type: 'virtual', options: map({ 'virtual-ip': '10.0.0.0/24', 'virtual-parents': 'n1' }) })),
    ).toEqual([['options', 'lsp-virtual-ip']]);
    expect(
      warnings(check({ type: 'virtual', options: map({ 'virtual-ip': '10.0.0.9', 'virtual-parents': 'n1,ghost' }) })),
    ).toEqual([['options', 'lsp-virtual-parent-unknown']]);
    expect(warnings(check({ options: map({ 'router-port': 'lrp0' }) }))).toEqual([
      ['options', 'lsp-option-for-other-type'],
    ]);
    expect(warnings(check({ options: map({ mcast_flood: 'yes' }) }))).toEqual([['options', 'lsp-option-value']]);
    expect(errors(check({ options: map({ 'requested-tnl-key': '40000' }) }))).toEqual([['options', 'lsp-tunnel-key']]);
    expect(errors(check({ options: map({ 'requested-tnl-key': '42' }) }))).toEqual([]);
  });

  it('parses addresses, with "router" only on router ports and one dynamic entry', () => {
    expect(errors(check({ addresses: ['00:00:00:00:00:01 10.0.0.300'] }))).toEqual([['addresses', 'address-bad-ip']]);
    expect(errors(check({ addresses: ['router'] }))).toEqual([['addresses', 'lsp-router-address']]);
    expect(errors(check({ type: 'router', options: map({ 'router-port': 'lrp0' }), addresses: ['router'] }))).toEqual(
      [],
    );
    expect(errors(check({ addresses: ['dynamic', '00:00:00:00:00:01 dynamic'] }))).toEqual([
      ['addresses', 'lsp-multiple-dynamic'],
    ]);
    expect(errors(check({ addresses: ['unknown', 'dynamic 10.0.0.5'] }))).toEqual([]);
    expect(check({ addresses: ['00:00:00:00:00:01 10.0.0.1 bogus'] }).errors[0]).toMatchObject({ offset: 27 });
  });

  it('parses port_security, which may not say unknown', () => {
    expect(errors(check({ port_security: ['unknown'] }))).toEqual([
      ['port_security', 'port-security-keyword-in-port-security'],
    ]);
    expect(errors(check({ port_security: ['10.0.0.1'] }))).toEqual([['port_security', 'port-security-bad-mac']]);
    expect(
      warnings(check({ addresses: ['00:00:00:00:00:01 10.0.0.1'], port_security: ['00:00:00:00:00:02'] })),
    ).toEqual([['port_security', 'lsp-port-security-foreign-mac']]);
  });

  it('refuses an IP address another port of the switch already has', () => {
    const r = check({ addresses: ['00:00:00:00:00:01 10.0.0.10'] });
    expect(errors(r)).toEqual([['addresses', 'lsp-duplicate-ip']]);
    expect(r.errors[0]?.message).toBe('10.0.0.10 is already used by port n1 on logical switch sw0.');
    expect(errors(check({ addresses: ['00:00:00:00:00:01 fd00:0::10'] }))).toEqual([['addresses', 'lsp-duplicate-ip']]);
    expect(errors(check({ addresses: ['dynamic 10.0.0.10'] }))).toEqual([['addresses', 'lsp-duplicate-ip']]);
    expect(errors(check({ dynamic_addresses: '00:00:00:00:00:01 10.0.0.10' }))).toEqual([
      ['addresses', 'lsp-duplicate-ip'],
    ]);
    expect(errors(check({ addresses: ['00:00:00:00:00:01 10.0.0.11'] }))).toEqual([]);
  });

  it('warns about a MAC another port of the switch has, except VRRPv3 virtual MACs', () => {
    expect(warnings(check({ addresses: ['00:00:00:00:00:0a'] }))).toEqual([['addresses', 'lsp-duplicate-mac']]);
    const vrrp = lsp({ uuid: 'n1', addresses: ['00:00:5e:00:01:01'] });
    const port = lsp({ uuid: 'p', addresses: ['00:00:5e:00:01:01'] });
    const s = snapshot({
      logicalSwitches: [ls({ uuid: 'sw0', ports: ['p', 'n1'] })],
      logicalSwitchPorts: [port, vrrp],
    });
    expect(checkLogicalSwitchPort(port, { snapshot: s }).warnings).toEqual([]);
  });

  it('refuses a port listed on two switches', () => {
    const port = lsp({ uuid: 'p' });
    const s = snapshot({
      logicalSwitches: [ls({ uuid: 'sw0', ports: ['p'] }), ls({ uuid: 'sw1', ports: ['p'] })],
      logicalSwitchPorts: [port],
    });
    expect(errors(checkLogicalSwitchPort(port, { snapshot: s }))).toEqual([['name', 'lsp-on-several-switches']]);
  });

  it('checks tag_request and parent_name', () => {
    expect(errors(check({ tag_request: 4096, parent_name: 'n1' }))).toEqual([['tag_request', 'lsp-tag-request']]);
    expect(errors(check({ tag_request: 0, parent_name: 'n1' }))).toEqual([]);
    expect(warnings(check({ tag_request: 10 }))).toEqual([['tag_request', 'lsp-tag-request-unused']]);
    expect(warnings(check({ type: 'localnet', options: map({ network_name: 'p' }), tag_request: 10 }))).toEqual([]);
    expect(warnings(check({ parent_name: 'ghost' }))).toEqual([['parent_name', 'lsp-parent-unknown']]);
    expect(errors(check({ parent_name: 'p' }))).toEqual([['parent_name', 'lsp-parent-self']]);
  });

  it('keeps edits off the columns ovn-northd owns', () => {
    const stored = lsp({ uuid: 'p', up: true, tag: 5, dynamic_addresses: '00:00:00:00:00:01 10.0.0.1' });
    const edited = { ...stored, up: false, tag: 6 };
    expect(errors(checkLogicalSwitchPort(edited, { snapshot: db(stored), original: stored }))).toEqual([
      ['up', 'lsp-read-only'],
      ['tag', 'lsp-read-only'],
    ]);
    expect(
      errors(checkLogicalSwitchPort({ ...stored, enabled: false }, { snapshot: db(stored), original: stored })),
    ).toEqual([]);
    expect(errors(check({ up: true }, { isNew: true }))).toEqual([['up', 'lsp-read-only']]);
    expect(errors(check({ up: true }))).toEqual([]);
  });

  it('warns before editing a port a CMS or ovn-ic manages', () => {
    expect(warnings(check({ external_ids: map({ 'neutron:port_name': 'web' }) }))).toEqual([
      ['external_ids', 'cms-owned'],
    ]);
    expect(warnings(check({ type: 'remote' }))).toEqual([['type', 'cms-owned']]);
  });
});
