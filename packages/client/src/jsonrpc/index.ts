export { RpcConnection } from './connection.js';
export type {
  AnyNotificationHandler,
  Disposable,
  NotificationHandler,
  RequestHandler,
  RequestOptions,
  RpcConnectionOptions,
} from './connection.js';
export { DisconnectedError, ProtocolError, ReplyLostError, RpcError, UnexpectedReplyError } from './errors.js';
export { classifyMessage } from './messages.js';
export type {
  IncomingMessage,
  NotificationMessage,
  OutgoingMessage,
  ReplyMessage,
  RequestMessage,
} from './messages.js';
export { DEFAULT_MAX_MESSAGE_BYTES, MessageReader } from './reader.js';
export type { MessageReaderOptions } from './reader.js';
export { MessageWriter, serializeMessage } from './writer.js';
