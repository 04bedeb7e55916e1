// Rows a cloud management system writes and will rewrite: editing them by hand is usually undone (or fights
// the CMS), so editors warn first. Recognised by the external_ids keys each CMS stamps on its rows.
import type { Findings } from './findings.js';

export interface CmsOwner {
  /** Who manages the row, in words. */
  readonly owner: string;
  /** The external_ids key that gave it away. */
  readonly key: string;
}

const RULES: readonly { readonly owner: string; readonly test: (key: string, value: string) => boolean }[] = [
  { owner: 'OpenStack Neutron', test: (k) => k.startsWith('neutron:') },
  { owner: 'ovn-kubernetes', test: (k) => k.startsWith('k8s.ovn.org/') || k.startsWith('ovn-k8s') },
  { owner: 'Kube-OVN', test: (k, v) => k === 'vendor' && v === 'kube-ovn' },
  { owner: 'ovn-ic', test: (k) => k === 'interconn-ts' },
];

export function cmsOwner(externalIds: ReadonlyMap<string, string>): CmsOwner | undefined {
  for (const [key, value] of [...externalIds].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const rule = RULES.find((r) => r.test(key, value));
    if (rule) return { owner: rule.owner, key };
  }
  return undefined;
}

/** Adds the `cms-owned` warning when the row belongs to a CMS. */
export function warnIfCmsOwned(f: Findings, externalIds: ReadonlyMap<string, string>, what: string): void {
  const owner = cmsOwner(externalIds);
  if (!owner) return;
  f.warning(
    'external_ids',
    'cms-owned',
    `This ${what} is managed by ${owner.owner} (external_ids:${owner.key}); a manual change may be overwritten ` +
      'or conflict with it.',
  );
}
