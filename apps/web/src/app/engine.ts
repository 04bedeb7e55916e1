/** The tab's one engine, in a worker. */
import { EngineClient, type EnginePort } from '../engine/client.js';
import type { EngineEvent, EngineRequest } from '../engine/messages.js';

function workerPort(): EnginePort {
  const worker = new Worker(new URL('../engine/worker.ts', import.meta.url), {
    type: 'module',
    name: 'ovsdb-web-engine',
  });
  return {
    post: (req: EngineRequest) => worker.postMessage(req),
    onEvent: (handler) => {
      worker.onmessage = (ev: MessageEvent<EngineEvent>) => handler(ev.data);
    },
    terminate: () => worker.terminate(),
  };
}

export const engine = new EngineClient(workerPort());

// Benchmarks read the engine's timing marks from the page.
(window as unknown as { ovsdbWebPerf?: unknown }).ovsdbWebPerf = engine.perf;
