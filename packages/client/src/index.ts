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

export { TransactionBuilder, encodeRow, encodeConditions } from './txn/builder.js';
export type { Condition, Mutation, RowValues } from './txn/builder.js';
export { validateTransaction } from './txn/validate.js';
export { TransactionError, TransactionValidationError } from './txn/errors.js';

export { DisconnectedError, ProtocolError, RpcError } from './jsonrpc/errors.js';
export { RpcConnection } from './jsonrpc/connection.js';
export { ConnectError } from './transport/connect.js';
export type { TlsOptions } from './transport/connect.js';
export { parseRemote, parseRemotes, formatRemote, RemoteSyntaxError } from './transport/remote.js';
export type { Remote } from './transport/remote.js';

export type { Integer, Uuid } from './models/types.js';
export * as models from './models/index.js';
