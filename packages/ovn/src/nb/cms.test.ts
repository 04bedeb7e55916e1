import { describe, expect, it } from 'vitest';
import { cmsOwner } from './cms.js';
import { nbFeaturesFromSchema } from './types.js';

describe('cmsOwner', () => {
  it.each<[Record<string, string>, string | undefined]>([
    [{ 'neutron:revision_number': '3' }, 'OpenStack Neutron'],
    [{ 'k8s.ovn.org/owner-type': 'NetworkPolicy' }, 'ovn-kubernetes'],
    [{ 'ovn-k8s-mp0': 'x' }, 'ovn-kubernetes'],
    [{ vendor: 'kube-ovn' }, 'Kube-OVN'],
    [{ 'interconn-ts': 'ts1' }, 'ovn-ic'],
    [{ vendor: 'acme', owner: 'me' }, undefined],
    [{}, undefined],
  ])('%j → %s', (ids, owner) => {
    expect(cmsOwner(new Map(Object.entries(ids)))?.owner).toBe(owner);
  });
});

describe('nbFeaturesFromSchema', () => {
  it('sees ACL tiers only where the schema has ACL.tier', () => {
    expect(nbFeaturesFromSchema({ tables: { ACL: { columns: { tier: {}, match: {} } } } })).toEqual({ aclTiers: true });
    expect(nbFeaturesFromSchema({ tables: { ACL: { columns: { match: {} } } } })).toEqual({ aclTiers: false });
    expect(nbFeaturesFromSchema(null)).toEqual({ aclTiers: false });
    expect(nbFeaturesFromSchema('OVN_Northbound')).toEqual({ aclTiers: false });
  });
});
