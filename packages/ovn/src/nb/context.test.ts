import { describe, expect, it } from 'vitest';
import { parseMatch } from '../match/match.js';
import { buildMatchContext } from './snapshot-index.js';
import { addressSet, ls, lsp, pg, snapshot } from './testdata/fixtures.js';

const db = snapshot({
  logicalSwitches: [ls({ uuid: 'sw0', ports: ['p1', 'p2'] }), ls({ uuid: 'sw1', ports: ['q1'] })],
  logicalSwitchPorts: [
    lsp({ uuid: 'p1', addresses: ['00:00:00:00:00:01 10.0.0.1/24 fd00::1'] }),
    lsp({
      uuid: 'p2',
      addresses: ['dynamic'],
      dynamic_addresses: '0a:00:00:00:00:02 10.0.0.2',
      port_security: ['0a:00:00:00:00:02 10.9.9.9'],
    }),
    lsp({ uuid: 'q1', addresses: ['00:00:00:00:01:01 10.1.0.1'] }),
  ],
  portGroups: [pg({ uuid: 'g', name: 'web', ports: ['p1', 'p2'] }), pg({ uuid: 'h', name: 'far', ports: ['q1'] })],
  addressSets: [addressSet({ uuid: 's', name: 'allowed', addresses: ['10.0.0.0/8'] })],
});

describe('buildMatchContext', () => {
  it('publishes address sets, port groups and port names', () => {
    const ctx = buildMatchContext(db);
    expect(ctx.addressSets?.get('allowed')).toEqual(['10.0.0.0/8']);
    expect(ctx.portGroups?.get('web')).toEqual(['p1', 'p2']);
    expect([...(ctx.ports ?? [])]).toEqual(['p1', 'p2', 'q1']);
  });

  it('derives <group>_ip4/_ip6 as ovn-northd does: static and dynamic addresses, not port_security', () => {
    const ctx = buildMatchContext(db);
    expect(ctx.addressSets?.get('web_ip4')).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(ctx.addressSets?.get('web_ip6')).toEqual(['fd00::1']);
    expect(ctx.addressSets?.get('far_ip6')).toEqual([]);
    expect(parseMatch('eth.src == $svc_monitor_mac', ctx).ok).toBe(true);
  });

  it('resolves port groups per switch when given one', () => {
    expect(parseMatch('outport == @far', buildMatchContext(db)).ok).toBe(true);
    expect(parseMatch('outport == @far', buildMatchContext(db, { logicalSwitch: 'sw0' })).ok).toBe(false);
    expect(parseMatch('outport == @far', buildMatchContext(db, { logicalSwitch: 'sw1' })).ok).toBe(true);
  });
});
