/**
 * Outbound half: serialize and hand to the stream. Ordering comes from the stream itself (writes are
 * queued FIFO), so the writer never holds messages of its own; what it adds is exact int64 output and a
 * readable view of the stream's backlog so callers can slow down instead of buffering without bound.
 */
import type { Writable } from 'node:stream';
import { stringifyJson, type JsonObject } from '../wire/json.js';
import type { OutgoingMessage } from './messages.js';

/**
 * One message as JSON text. Members are written in a fixed order (method, params, id / id, result,
 * error), which keeps captured traffic diffable against ovsdb-server's own logs.
 */
export function serializeMessage(msg: OutgoingMessage): string {
  const obj: JsonObject =
    'method' in msg
      ? { method: msg.method, params: msg.params, id: msg.id }
      : { id: msg.id, result: msg.result, error: msg.error };
  return stringifyJson(obj);
}

export class MessageWriter {
  constructor(private readonly stream: Writable) {}

  /**
   * Queue one message. Returns false once the stream's buffer is above its high-water mark; the message is
   * still queued, but the caller should wait for `drained()` before sending much more.
   */
  write(msg: OutgoingMessage): boolean {
    if (this.stream.destroyed || this.stream.writableEnded) throw new Error('cannot write: stream is closed');
    return this.stream.write(serializeMessage(msg), 'utf8');
  }

  /** Bytes accepted by `write` but not yet handed to the OS. */
  get bufferedBytes(): number {
    return this.stream.writableLength;
  }

  get needsDrain(): boolean {
    return this.stream.writableNeedDrain;
  }

  /**
   * Resolves when the backlog has drained, at once if there is none. Also resolves if the stream closes
   * first, so a waiter is never stranded; the next `write` will then report the closed stream.
   */
  drained(): Promise<void> {
    const s = this.stream;
    if (!s.writableNeedDrain || s.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }
}
