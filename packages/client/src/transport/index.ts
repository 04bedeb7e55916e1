export { ConnectError, openStream } from './connect.js';
export type { ConnectFailure, OpenStreamOptions, PemSource, TlsOptions } from './connect.js';
export { DEFAULT_OVSDB_PORT, RemoteSyntaxError, formatRemote, formatRemotes, parseRemote, parseRemotes } from './remote.js';
export type { Remote } from './remote.js';
