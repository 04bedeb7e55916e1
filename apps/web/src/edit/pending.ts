import type { ParentRef } from './ops.js';

/** A row to attach the next new row to, carried across a navigation (e.g. "New ACL here" on a switch). */
export const pendingParent: { current: ParentRef | undefined } = { current: undefined };
