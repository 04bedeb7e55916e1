/**
 * Names for the data layer's parsed condition and mutation types. The client package's index exports its
 * transaction builder's `Condition`/`Mutation` under those names, which hides the data layer's types of
 * the same names, so they are recovered here from the functions that produce them.
 */
import type { parseConditions, parseMutations } from '@ovsdb-web/client';

export type DataCondition = ReturnType<typeof parseConditions>[number];
export type DataMutation = ReturnType<typeof parseMutations>[number];
