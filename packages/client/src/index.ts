// Public API of @ovsdb-web/client: the browser-safe core plus connections, monitors and clusters (Node).
export * from './core.js';

export { OvsdbClient } from './client/client.js';
export type { ConnectOptions, TransactOptions, ClientEvents, ClientStatus, ReconnectOptions } from './client/client.js';

export { DisconnectedError, ProtocolError, ReplyLostError, RpcError } from './jsonrpc/errors.js';
export { RpcConnection } from './jsonrpc/connection.js';
export { MessageReader, MessageWriter, classifyMessage } from './jsonrpc/index.js';
export { ConnectError } from './transport/connect.js';
export type { TlsOptions } from './transport/connect.js';
export { parseRemote, parseRemotes, formatRemote, RemoteSyntaxError } from './transport/remote.js';
export type { Remote } from './transport/remote.js';

export { Monitor, MONITOR_METHODS } from './monitor/monitor.js';
export type {
  MonitorMethod,
  MonitorOptions,
  MonitorTableOptions,
  MonitorSelect,
  MonitorSkew,
  MonitorEvents,
} from './monitor/monitor.js';
export { ClusterMemberRejected } from './cluster/member.js';
export { EXIT_USAGE, UsageError, nodeIo } from './cli/io.js';
export type { CliIo } from './cli/io.js';
