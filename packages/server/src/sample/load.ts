/** Sending a generated dataset to a server, several transactions in flight at once. */
import type { Json, Operation, OperationResult, TransactOptions } from '@ovsdb-web/client';
import type { SampleDataset } from './dataset.js';

/**
 * What the loader and churn need from a client: `OvsdbClient` fits, and so does anything else that can
 * run a transaction (a test double, a client behind a gateway).
 */
export interface Transactor {
  transact(db: string, operations: readonly (Operation | Json)[], opts?: TransactOptions): Promise<OperationResult[]>;
}

export interface LoadOptions {
  /**
   * Transactions in flight at once (default 8). The server still applies them one at a time in the order
   * sent; keeping several queued only hides the round trip.
   */
  pipeline?: number;
  /** Batches that must wait for every earlier one to commit (a `SampleDataset` brings its own). */
  barriers?: readonly number[];
  /** Check each batch against the schema before sending (default true). */
  validate?: boolean;
  /** Stops sending further batches; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
  onProgress?: (batchesDone: number, batchesTotal: number) => void;
}

export interface LoadStats {
  batches: number;
  operations: number;
  elapsedMs: number;
  /** Operations per second over the whole load. */
  opsPerSec: number;
}

/** A batch the server (or validation) refused; batches sent before it may have committed. */
export class LoadError extends Error {
  constructor(
    readonly batchIndex: number,
    cause: unknown,
  ) {
    super(`loading batch ${batchIndex} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'LoadError';
  }
}

export function loadDataset(client: Transactor, dataset: SampleDataset, opts?: LoadOptions): Promise<LoadStats>;
export function loadDataset(
  client: Transactor,
  db: string,
  batches: readonly (readonly Operation[])[],
  opts?: LoadOptions,
): Promise<LoadStats>;
export function loadDataset(
  client: Transactor,
  dbOrDataset: string | SampleDataset,
  batchesOrOpts?: readonly (readonly Operation[])[] | LoadOptions,
  maybeOpts?: LoadOptions,
): Promise<LoadStats> {
  if (typeof dbOrDataset === 'string') {
    if (!Array.isArray(batchesOrOpts))
      throw new TypeError('loadDataset(client, db, batches): batches must be an array');
    return load(client, dbOrDataset, batchesOrOpts, maybeOpts ?? {});
  }
  const opts = (batchesOrOpts as LoadOptions | undefined) ?? {};
  return load(client, dbOrDataset.db, dbOrDataset.batches, { barriers: dbOrDataset.barriers, ...opts });
}

function load(
  client: Transactor,
  db: string,
  batches: readonly (readonly Operation[])[],
  opts: LoadOptions,
): Promise<LoadStats> {
  const pipeline = Math.max(1, Math.floor(opts.pipeline ?? 8));
  const barriers = new Set(opts.barriers ?? []);
  const transactOpts: TransactOptions = opts.validate === false ? { validate: false } : {};
  const operations = batches.reduce((n, b) => n + b.length, 0);
  const started = performance.now();
  let next = 0;
  let inFlight = 0;
  let done = 0;
  let failure: LoadError | undefined;

  return new Promise<LoadStats>((resolve, reject) => {
    const finish = (): void => {
      if (failure) {
        reject(failure);
        return;
      }
      if (opts.signal?.aborted) {
        // As with fetch and node:timers/promises, the rejection is the signal's reason (documented on
        // `LoadOptions.signal`), whatever the caller passed to `abort()`; by default an AbortError DOMException.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the reason is the caller's, passed on unchanged
        reject(opts.signal.reason);
        return;
      }
      const elapsedMs = performance.now() - started;
      resolve({
        batches: batches.length,
        operations,
        elapsedMs,
        opsPerSec: operations / Math.max(elapsedMs / 1000, 1e-9),
      });
    };
    const pump = (): void => {
      while (!failure && !opts.signal?.aborted && next < batches.length && inFlight < pipeline) {
        // A barrier batch mutates rows that earlier batches insert: start it only once they have committed.
        if (barriers.has(next) && inFlight > 0) break;
        const index = next++;
        inFlight++;
        client.transact(db, batches[index] ?? [], transactOpts).then(
          () => {
            inFlight--;
            done++;
            opts.onProgress?.(done, batches.length);
            pump();
          },
          (err: unknown) => {
            inFlight--;
            // Keep the earliest failure: later ones are often just its consequences.
            if (!failure || index < failure.batchIndex) failure = new LoadError(index, err);
            pump();
          },
        );
      }
      if (inFlight === 0 && (failure || opts.signal?.aborted || next >= batches.length)) finish();
    };
    pump();
  });
}
