// Public API of @ovsdb-web/server: an embedded in-memory OVSDB server.
export { OvsdbServer } from './server.js';
export type { OvsdbServerOptions, ListenOptions, ListenAddresses } from './server.js';
export { ServedDatabase } from './served-db.js';
export type { CommitInfo, CommitListener, ServedDatabaseOptions } from './served-db.js';
export { Database, TableStore } from './database.js';
export type { RowChange, UniqueIndex } from './database.js';
export { executeTransaction } from './transaction.js';
export type { TransactOptions, TransactOutcome } from './transaction.js';
export type { StorageOptions } from './persistence.js';
export { duplexPair } from './duplex-pair.js';
export { parseCli, runCli } from './cli.js';
export type { CliOptions } from './cli.js';
