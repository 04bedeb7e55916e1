// The raw-socket floor for an initial sync: what any JavaScript client has to do at the least to hold a
// monitor's initial state in memory. Find where the reply ends in the byte stream, decode it once and
// `JSON.parse` it: no framing library, no typed values, no cache, no indexes.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x7b;
const CLOSE = 0x7d;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * The request our client sends for `monitor(db, { tables: '*' })`: every table, every column (no
 * `columns` member), and `monitor_cond_since` from the zero txn id, which asks for everything.
 */
export function monitorRequest(db, tables, id = 1, monitorId = 'sync') {
  const req = {};
  for (const t of tables) req[t] = [{}];
  return JSON.stringify({ id, method: 'monitor_cond_since', params: [db, monitorId, req, ZERO_UUID] });
}

/**
 * Splits a byte stream into top-level JSON objects and parses each once it is complete. Only the
 * scan is per chunk; the bytes of a message are kept as received and joined once, at its end, so the
 * work is linear in the size of the reply, as in the client's reader.
 */
export class ReplyReader {
  depth = 0;
  inString = false;
  escaped = false;
  pieces = [];

  /** Returns the messages that ended in `chunk`, parsed, in order. */
  push(chunk) {
    const out = [];
    let { depth, inString, escaped } = this;
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
      } else if (c === QUOTE) inString = true;
      else if (c === OPEN) {
        if (depth++ === 0 && this.pieces.length === 0) start = i;
      } else if (c === CLOSE && --depth === 0) {
        const tail = chunk.subarray(start, i + 1);
        const bytes = this.pieces.length === 0 ? tail : Buffer.concat([...this.pieces, tail]);
        this.pieces = [];
        out.push(JSON.parse(bytes.toString('utf8')));
        start = i + 1;
      }
    }
    if (depth > 0) this.pieces.push(chunk.subarray(start));
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return out;
  }
}

/** Rows in a table-updates object (or a `monitor_cond_since` result's third member). */
export function countRows(tableUpdates) {
  let n = 0;
  for (const t of Object.values(tableUpdates ?? {})) n += Object.keys(t).length;
  return n;
}
