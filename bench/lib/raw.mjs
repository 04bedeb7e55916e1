// The raw-socket writer: the floor a client can reach. Requests are serialized before timing starts,
// written straight to the socket, and replies are only counted, by a scanner that tracks brace depth
// outside strings and does nothing else (no decoding, no parsing, no correlation by id).
import net from 'node:net';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x7b;
const CLOSE = 0x7d;

/** Counts complete top-level JSON objects across chunks. */
export class BraceCounter {
  depth = 0;
  inString = false;
  escaped = false;

  /** Returns how many objects ended in `chunk`. */
  push(chunk) {
    let done = 0;
    let { depth, inString, escaped } = this;
    // eslint-disable-next-line @typescript-eslint/prefer-for-of -- the raw floor stays an indexed walk over the bytes
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) inString = true;
      else if (c === OPEN) depth++;
      else if (c === CLOSE && --depth === 0) done++;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return done;
  }
}

/**
 * Sends `requests` (complete JSON-RPC texts) over a fresh connection to `socketPath`, keeping `window`
 * of them unanswered; each batch of replies that arrives releases as many new requests, written in one
 * `write`. Resolves with the elapsed time from the first write to the last reply.
 */
export function rawPipelined(socketPath, requests, window) {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(socketPath);
    const counter = new BraceCounter();
    let sent = 0;
    let replies = 0;
    let started = 0;
    const sendUpTo = (limit) => {
      const end = Math.min(limit, requests.length);
      if (end <= sent) return;
      sock.write(requests.slice(sent, end).join(''));
      sent = end;
    };
    sock.on('error', reject);
    sock.on('connect', () => {
      started = performance.now();
      sendUpTo(window);
    });
    sock.on('data', (chunk) => {
      replies += counter.push(chunk);
      if (replies >= requests.length) {
        const elapsedMs = performance.now() - started;
        sock.end();
        resolve({ elapsedMs, replies });
        return;
      }
      sendUpTo(replies + window);
    });
  });
}
