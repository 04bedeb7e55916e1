/** Reconnect delays: exponential with full jitter between half and all of the step, capped. */
export interface ReconnectOptions {
  /** First delay in ms (default 200). */
  initialDelayMs?: number;
  /** Largest delay in ms (default 8000, ovsdb-server's own reconnect cap). */
  maxDelayMs?: number;
  /** Give up (and close the client) after this many failed rounds over the remotes (default: never). */
  maxAttempts?: number;
}

export class Backoff {
  private attempt = 0;
  private readonly initial: number;
  private readonly max: number;
  private readonly limit: number;

  constructor(
    opts: ReconnectOptions,
    private readonly random: () => number = Math.random,
  ) {
    this.initial = opts.initialDelayMs ?? 200;
    this.max = opts.maxDelayMs ?? 8_000;
    this.limit = opts.maxAttempts ?? Infinity;
  }

  /** The delay before the next attempt, or undefined when attempts are used up. */
  next(): number | undefined {
    if (this.attempt >= this.limit) return undefined;
    const step = Math.min(this.max, this.initial * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    // Jitter keeps a fleet of clients from reconnecting to a restarted server in lockstep.
    return Math.round(step / 2 + (this.random() * step) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
