// Public API of @ovsdb-web/protocol: the contract between the gateway and the browser.
export { ERROR_STATUS, ERROR_CODES, isErrorCode } from './errors.js';
export type { ErrorCode, ErrorInfo, ErrorBody } from './errors.js';
export { ROLES, schemas } from './rest.js';
export type {
  Role,
  WhoAmI,
  ConnectionState,
  RemoteStatus,
  TableStats,
  DatabaseStats,
  RowsPage,
  TransactRequest,
  TransactResponse,
  RowVersion,
  PlanRequest,
  PlanCheck,
  PlanResponse,
  AuditEntry,
  AuditPage,
  RowHistory,
  Reference,
  RowReferences,
} from './rest.js';
export {
  STREAM_PROTOCOL,
  STREAM_TOKEN_PREFIX,
  CLIENT_MESSAGE_LIMITS,
  ProtocolViolation,
  ServerMessageError,
  parseClientMessage,
  parseServerMessage,
  encodeClientMessage,
  encodeServerMessage,
  encodeSnapshot,
  encodeDelta,
} from './stream.js';
export type {
  Cursor,
  ClientMessage,
  ParseServerMessageOptions,
  SubscribeMessage,
  SnapshotContinueMessage,
  SubscribeStatusMessage,
  UnsubscribeMessage,
  PingMessage,
  ServerMessage,
  SubscribedMessage,
  SnapshotMessage,
  DeltaMessage,
  DeltaKind,
  RowDelta,
  ResyncMessage,
  StatusMessage,
  ErrorMessage,
  PongMessage,
  EncodedRowDelta,
} from './stream.js';
export { applyServerMessage, createSubscriptionState } from './stream-state.js';
export type { Applied, AppliedChange, SnapshotChunk, SubscriptionPhase, SubscriptionState } from './stream-state.js';
export { TableRows, uuidOf } from './table-rows.js';
