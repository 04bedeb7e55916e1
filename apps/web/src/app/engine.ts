/** The tab's one engine, in a worker. */
import { EngineClient, type EnginePort } from '../engine/client.js';
import { listenToEngine, postToEngine, stopEngine } from './engine-worker.js';

function workerPort(): EnginePort {
  return { post: postToEngine, onEvent: listenToEngine, terminate: stopEngine };
}

export const engine = new EngineClient(workerPort());

// Benchmarks read the engine's timing marks from the page.
(window as unknown as { ovsdbWebPerf?: unknown }).ovsdbWebPerf = engine.perf;
