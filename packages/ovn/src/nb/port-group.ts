// Port_Group rules (ovn-nb(5) "Port_Group TABLE").
import { warnIfCmsOwned } from './cms.js';
import { Findings } from './findings.js';
import { checkMatchName } from './names.js';
import { indexSnapshot } from './snapshot-index.js';
import type { NbSnapshot, PortGroupRow, RuleResult } from './types.js';

export interface PortGroupCheckContext {
  readonly snapshot: NbSnapshot;
}

export function checkPortGroup(pg: PortGroupRow, ctx: PortGroupCheckContext): RuleResult {
  const index = indexSnapshot(ctx.snapshot);
  const f = new Findings();
  checkMatchName(f, pg.name, '@', 'port group');
  if ((index.portGroupsByName.get(pg.name) ?? []).some((o) => o.uuid !== pg.uuid)) {
    f.error('name', 'pg-name-duplicate', `Another port group is named "${pg.name}".`);
  }
  for (const suffix of ['_ip4', '_ip6']) {
    if (index.addressSetsByName.has(pg.name + suffix)) {
      f.warning(
        'name',
        'address-set-name-collision',
        `ovn-northd publishes this group's addresses as $${pg.name}${suffix}, ` +
          'but an address set already has that name.',
      );
    }
  }
  for (const uuid of pg.ports) {
    if (!index.ports.has(uuid))
      f.error('ports', 'dangling-reference', `ports refers to ${uuid}, which is not a logical switch port.`);
  }
  for (const uuid of pg.acls) {
    if (!index.acls.has(uuid)) f.error('acls', 'dangling-reference', `acls refers to ${uuid}, which is not an ACL.`);
  }
  if (pg.acls.length > 0 && !pg.ports.some((u) => index.ports.has(u))) {
    f.warning('acls', 'pg-acls-without-ports', 'The group has ACLs but no ports, so its ACLs apply nowhere.');
  }
  warnIfCmsOwned(f, pg.external_ids, 'port group');
  return f.result();
}
