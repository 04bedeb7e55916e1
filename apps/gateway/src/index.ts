// Public API of the gateway package (for embedding and tests).
export { buildApp, type Gateway, type BuildOptions } from './app.js';
export { parseServeArgs, parseDemoArgs, type GatewayConfig, type DemoConfig } from './config.js';
export { TokenStore, sha256Hex, type Principal } from './plugins/auth.js';
export { DEFAULT_LIMITS, type StreamLimits } from './stream/session.js';
export { main } from './cli.js';
