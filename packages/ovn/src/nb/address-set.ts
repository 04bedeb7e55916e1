// Address_Set rules (ovn-nb(5) "Address_Set TABLE"): usable name, readable entries, one address family.
import { scan } from '../match/scanner.js';
import { describeConstant } from '../match/validate.js';
import { warnIfCmsOwned } from './cms.js';
import { Findings } from './findings.js';
import { checkMatchName } from './names.js';
import { indexSnapshot } from './snapshot-index.js';
import type { AddressSetRow, NbSnapshot, RuleResult } from './types.js';

export interface AddressSetCheckContext {
  readonly snapshot: NbSnapshot;
}

const FAMILY: Record<string, string> = {
  ethernet: 'Ethernet',
  ipv4: 'IPv4',
  ipv6: 'IPv6',
  decimal: 'integer',
  hexadecimal: 'integer',
};

export function checkAddressSet(as: AddressSetRow, ctx: AddressSetCheckContext): RuleResult {
  const index = indexSnapshot(ctx.snapshot);
  const f = new Findings();
  checkMatchName(f, as.name, '$', 'address set');
  if ((index.addressSetsByName.get(as.name) ?? []).some((o) => o.uuid !== as.uuid)) {
    f.error('name', 'as-name-duplicate', `Another address set is named "${as.name}".`);
  }
  const derived = /^(.*)_ip[46]$/.exec(as.name)?.[1];
  if ((derived !== undefined && index.portGroupsByName.has(derived)) || as.name === 'svc_monitor_mac') {
    f.warning(
      'name',
      'address-set-name-collision',
      `ovn-northd publishes an address set of its own named ${as.name}; the two clash in the southbound database.`,
    );
  }
  const families = new Map<string, string>();
  for (const entry of as.addresses) {
    const tokens = scan(entry).filter((t) => t.type !== 'comment');
    const [first, second] = tokens;
    if (!first || (first.type !== 'integer' && first.type !== 'masked') || first.format === undefined) {
      const why = first?.type === 'error' && first.s ? ` (${first.s})` : '';
      f.error('addresses', 'as-bad-entry', `"${entry}" is not an address OVN can read${why}; OVN drops it.`);
      continue;
    }
    if (second && second.type !== 'end') {
      const kept = entry.slice(first.start, first.end);
      f.error('addresses', 'as-bad-entry', `"${entry}": OVN reads only "${kept}" and ignores the rest.`, second.start);
    }
    families.set(FAMILY[first.format] ?? first.format, entry);
    if (first.hostBits && first.value !== undefined) {
      f.warning(
        'addresses',
        'host-bits-set',
        `"${entry}" has bits set outside its mask; OVN uses ` +
          `${describeConstant(first.format, first.value, first.mask)}.`,
      );
    }
  }
  if (families.size > 1) {
    const list = [...families].map(([fam, e]) => `${fam} (e.g. ${e})`).join(', ');
    f.error(
      'addresses',
      'as-mixed-families',
      `An address set must hold addresses of one type; this one mixes ${list}.`,
    );
  }
  warnIfCmsOwned(f, as.external_ids, 'address set');
  return f.result();
}
