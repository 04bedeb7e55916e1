// Generated models for the databases OVS and OVN ship, one namespace each so that the many tables they
// share by name (Connection, SSL, ...) stay apart. Regenerate with codegen/regenerate.ts.
export * as OvnNorthbound from './ovn-nb.js';
export * as OvnSouthbound from './ovn-sb.js';
export * as OpenVSwitch from './open-vswitch.js';
export * as ServerDatabase from './server.js';
export type { Integer, NamedUuid, Uuid } from './types.js';
