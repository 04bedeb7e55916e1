/**
 * Inactivity probe: after `interval` ms with nothing received, send `echo`; if still nothing arrives
 * within another `interval`, close the session so that the client reconnects. ovsdb-server probes its
 * clients the same way, and a stopped or partitioned server is otherwise only noticed by TCP much later.
 */
import type { RpcConnection } from '../jsonrpc/connection.js';

export class Prober {
  private timer: NodeJS.Timeout | undefined;
  private echoSentAt: number | undefined;
  private interval = 0;
  private pausedAt: number | undefined;
  private resumedAt = 0;

  /**
   * `paused` says when the client itself has stopped reading (backpressure): bytes the server sent then
   * are waiting unread in the socket, so silence proves nothing and must not close the session.
   */
  constructor(
    private readonly conn: RpcConnection,
    interval: number,
    private readonly paused: () => boolean = () => false,
  ) {
    this.setInterval(interval);
  }

  /** 0 turns the probe off. */
  setInterval(ms: number): void {
    this.stop();
    this.interval = ms;
    if (ms <= 0 || this.conn.closed) return;
    // Check a few times per interval so a probe goes out close to `ms` after the last input.
    this.timer = setInterval(() => this.check(), Math.max(10, Math.floor(ms / 4)));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.echoSentAt = undefined;
  }

  private check(): void {
    if (this.conn.closed) {
      this.stop();
      return;
    }
    const now = Date.now();
    if (this.paused()) {
      // Start counting again from the moment reading resumes.
      this.echoSentAt = undefined;
      this.pausedAt = now;
      return;
    }
    if (this.pausedAt !== undefined) {
      this.pausedAt = undefined;
      this.resumedAt = now;
    }
    const idle = now - Math.max(this.conn.lastActivity, this.resumedAt);
    if (this.echoSentAt !== undefined && this.conn.lastActivity >= this.echoSentAt) this.echoSentAt = undefined;
    if (this.echoSentAt !== undefined) {
      if (now - this.echoSentAt >= this.interval) {
        this.stop();
        void this.conn.close(`inactivity probe: no reply to echo within ${this.interval} ms`);
      }
      return;
    }
    if (idle >= this.interval) {
      this.echoSentAt = now;
      this.conn.request('echo', []).catch(() => undefined);
    }
  }
}
