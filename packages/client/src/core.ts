/**
 * `@ovsdb-web/client/core`: everything that needs no socket and no file, so a browser can use it too — the
 * wire notation, schemas, typed values, conditions and mutations, transaction building and validation, the
 * monitor cache, ovsdb-server's value order, and the OVS text notation (find clauses, printed values).
 * Nothing here may import a Node built-in: `tsconfig.core.json` compiles it without Node's types.
 */
export { parseJson, parseJsonScanned, stringifyJson, findDepthExcess, JsonSyntaxError } from './wire/json.js';
export type { Json, JsonObject, ParseJsonOptions } from './wire/json.js';
export { MisuseError, OvsdbError } from './wire/errors.js';
export type { MisuseKind, OvsdbErrorKind, OvsdbErrorObject } from './wire/errors.js';
export * from './wire/notation.js';
export * from './wire/operation.js';

export * from './schema/schema.js';
export * from './data/index.js';
export { encodeRow, encodeConditions, encodeMutation } from './data/encode.js';
export type { Condition, Mutation, RowValues } from './data/encode.js';
export { compareDatums } from './data/order.js';
export { datumKey, compositeKey } from './data/key.js';

export { TransactionBuilder } from './txn/builder.js';
export { validateTransaction } from './txn/validate.js';
export { checkAgainstCache } from './txn/cache-check.js';
export type { CacheView, TableView } from './txn/cache-check.js';
export { TransactionError, TransactionValidationError } from './txn/errors.js';
export { planTransaction } from './txn/plan.js';
export type {
  ColumnEffect,
  EffectCause,
  PlanCacheView,
  PlanEffect,
  PlanProblem,
  PlanTableView,
  TransactionPlan,
} from './txn/plan.js';

export { DatabaseCache } from './cache/database-cache.js';
export type { ChangeBatch, RowChange, ChangeKind } from './cache/database-cache.js';
export { TableCache } from './cache/table-cache.js';
export type { IndexSpec } from './cache/indexes.js';

export { atomText, datumText } from './ovs-text/format.js';
export {
  FIND_OPERATORS,
  MAX_FILTER_DEPTH,
  FilterError,
  findPredicate,
  parseFilter,
  parseFindClause,
  parseSort,
} from './ovs-text/find.js';
export type { FindClause, FindOperator, RowPredicate } from './ovs-text/find.js';

export type { Integer, Uuid } from './models/types.js';
export * as models from './models/index.js';
