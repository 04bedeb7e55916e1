// Public API of @ovsdb-web/client. Everything else is internal and may change.
export { OvsdbClient } from './client/client.js';
export type { ConnectOptions, TransactOptions, ClientEvents } from './client/client.js';

export { parseJson, stringifyJson, JsonSyntaxError } from './wire/json.js';
export type { Json, JsonObject } from './wire/json.js';
export { OvsdbError } from './wire/errors.js';
export type { OvsdbErrorKind, OvsdbErrorObject } from './wire/errors.js';
export * from './wire/notation.js';
export * from './wire/operation.js';

export * from './schema/schema.js';
export * from './data/index.js';
// The data layer's parsed condition; `Condition` below is the builder's typed form.
export type { Condition as ParsedCondition } from './data/condition.js';
export type { Mutation as ParsedMutation } from './data/mutation.js';

export { TransactionBuilder, encodeRow, encodeConditions } from './txn/builder.js';
export type { Condition, Mutation, RowValues } from './txn/builder.js';
export { validateTransaction } from './txn/validate.js';
export { checkAgainstCache } from './txn/cache-check.js';
export type { CacheView } from './txn/cache-check.js';
export { TransactionError, TransactionValidationError } from './txn/errors.js';

export { DisconnectedError, ProtocolError, RpcError } from './jsonrpc/errors.js';
export { RpcConnection } from './jsonrpc/connection.js';
export { ConnectError } from './transport/connect.js';
export type { TlsOptions } from './transport/connect.js';
export { parseRemote, parseRemotes, formatRemote, RemoteSyntaxError } from './transport/remote.js';
export type { Remote } from './transport/remote.js';

export type { Integer, Uuid } from './models/types.js';
export * as models from './models/index.js';
export { MessageReader, MessageWriter, classifyMessage } from './jsonrpc/index.js';

export { Monitor, MONITOR_METHODS } from './monitor/monitor.js';
export type { MonitorMethod, MonitorOptions, MonitorTableOptions, MonitorSelect, MonitorSkew, MonitorEvents } from './monitor/monitor.js';
export { DatabaseCache } from './cache/database-cache.js';
export type { ChangeBatch, RowChange, ChangeKind } from './cache/database-cache.js';
export { TableCache } from './cache/table-cache.js';
export type { IndexSpec } from './cache/indexes.js';
export { ClusterMemberRejected } from './cluster/member.js';
export type { ClientStatus, ReconnectOptions } from './client/client.js';
