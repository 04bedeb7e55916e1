/**
 * The tab's one engine worker, started by whichever script runs first (the boot script, see `boot.ts`). Its
 * events are kept until the engine client listens: the worker may say it is live before the app has loaded.
 */
import type { EngineEvent, EngineRequest } from '../engine/messages.js';

let worker: Worker | undefined;
let listener: ((ev: EngineEvent) => void) | undefined;
const early: EngineEvent[] = [];

function engineWorker(): Worker {
  if (!worker) {
    const w = new Worker(new URL('../engine/worker.ts', import.meta.url), { type: 'module', name: 'ovsdb-web-engine' });
    w.onmessage = (ev: MessageEvent<EngineEvent>) => {
      if (listener) listener(ev.data);
      else early.push(ev.data);
    };
    worker = w;
  }
  return worker;
}

export function postToEngine(req: EngineRequest): void {
  engineWorker().postMessage(req);
}

/** The engine's events from now on, after those it sent before anyone listened. */
export function listenToEngine(handler: (ev: EngineEvent) => void): void {
  listener = handler;
  for (const ev of early.splice(0)) handler(ev);
}

export function stopEngine(): void {
  worker?.terminate();
  worker = undefined;
  listener = undefined;
}
