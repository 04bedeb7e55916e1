/**
 * The engine's worker: a browser WebSocket and fetch behind the engine's environment, messages to and from
 * the page. Everything else is in `engine.ts`.
 */
/// <reference lib="webworker" />
import { Engine } from './engine.js';
import type { EngineEvent, EngineRequest } from './messages.js';
import type { SocketLike } from '../stream/connection.js';

declare const self: DedicatedWorkerGlobalScope;

function socket(url: string, protocols: string[]): SocketLike {
  const ws = new WebSocket(url, protocols);
  const s: SocketLike = {
    get readyState() {
      return ws.readyState;
    },
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    onopen: null,
    onclose: null,
    onerror: null,
    onmessage: null,
  };
  ws.onopen = (ev) => s.onopen?.(ev);
  ws.onclose = (ev) => s.onclose?.({ code: ev.code, reason: ev.reason });
  ws.onerror = (ev) => s.onerror?.(ev);
  ws.onmessage = (ev: MessageEvent<unknown>) => s.onmessage?.({ data: ev.data });
  return s;
}

const engine = new Engine({
  createSocket: socket,
  fetch: (url, init) => fetch(url, init),
  post: (event: EngineEvent) => self.postMessage(event),
});

self.onmessage = (ev: MessageEvent<EngineRequest>) => engine.handle(ev.data);
