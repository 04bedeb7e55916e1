// Public API of the gateway package (for embedding and tests).
export { buildApp, type Gateway, type BuildOptions } from './app.js';
export { parseServeArgs, parseDemoArgs, ConfigError, type GatewayConfig, type DemoConfig } from './config.js';
export { TokenStore, sha256Hex, WS_PROTOCOL, WS_TOKEN_PREFIX, type Principal, type Role } from './auth.js';
export { DEFAULT_LIMITS, type StreamLimits } from './stream/session.js';
export type { ClientMessage, ServerMessage, RowDelta, SubscribeMessage } from './stream/protocol.js';
export { main } from './cli.js';
