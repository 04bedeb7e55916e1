/** Typed OVSDB values: atoms, datums, rows, update2 diffs, conditions and mutations. */
export { NamedUuid, namedUuid } from './value.js';
export type { Atom, SetDatum, MapDatum, Datum, Row } from './value.js';
export {
  atomFromWire,
  atomToWire,
  atomFromValue,
  checkAtom,
  compareAtoms,
  compareUtf8,
  atomEquals,
  atomToString,
  defaultAtom,
  formatReal,
  normalizeInteger,
  canonicalUuid,
  isId,
  codePointLength,
  utf8Error,
  INT64_MIN,
  INT64_MAX,
} from './atom.js';
export type { DecodeContext } from './atom.js';
export {
  datumFromWire,
  datumToWire,
  datumFromValue,
  defaultDatum,
  datumEquals,
  isDefaultDatum,
  isSetDatum,
  isMapDatum,
  sortAtoms,
  typeToEnglish,
  EMPTY_SET,
  EMPTY_MAP,
} from './datum.js';
export type { DatumContext, ValueContext } from './datum.js';
export { rowFromWire, rowToWire } from './row.js';
export type { RowDecodeOptions } from './row.js';
export { diffDatum, applyDiff } from './diff.js';
export {
  parseCondition,
  parseConditions,
  conditionsToWire,
  evaluateCondition,
  evaluateConditions,
} from './condition.js';
export type { ParsedCondition, ConditionClause, ConditionMode } from './condition.js';
export { parseMutation, parseMutations, mutationsToWire, applyMutations } from './mutation.js';
export type { ParsedMutation, MutationResult } from './mutation.js';
