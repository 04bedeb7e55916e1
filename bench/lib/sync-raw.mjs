// The raw-socket floor for an initial sync: what any JavaScript client has to do at the least to hold a
// monitor's initial state in memory. Find where the reply ends in the byte stream, decode it once and
// `JSON.parse` it: no framing library, no typed values, no cache, no indexes.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x7b;
const CLOSE = 0x7d;

/** The index of the quote that ends the string `chunk` is in, looking from `from`; -1 if it ends later. */
function stringEnd(chunk, from) {
  let p = from;
  for (;;) {
    const q = chunk.indexOf(QUOTE, p);
    if (q < 0) return -1;
    let b = q;
    while (b > p && chunk[b - 1] === BACKSLASH) b--;
    if (((q - b) & 1) === 0) return q; // an even run of backslashes before it: the quote is not escaped
    p = q + 1;
  }
}

function endsInEscape(chunk, from) {
  let b = chunk.length;
  while (b > from && chunk[b - 1] === BACKSLASH) b--;
  return ((chunk.length - b) & 1) === 1;
}

/**
 * Splits a byte stream into top-level JSON objects and parses each once it is complete. The bytes of a
 * message are kept as received and joined once, at its end, so the work is linear in the size of the
 * reply. It scans the way the client's reader does (string contents skipped with `indexOf`), so the
 * floor is not slower than the client at finding where the reply ends.
 */
export class ReplyReader {
  depth = 0;
  inString = false;
  escaped = false;
  pieces = [];

  /** Returns the messages that ended in `chunk`, parsed, in order. */
  push(chunk) {
    const out = [];
    const n = chunk.length;
    let { depth, inString, escaped } = this;
    let start = 0;
    for (let i = 0; i < n; i++) {
      if (inString) {
        const at = escaped ? i + 1 : i;
        const end = stringEnd(chunk, at);
        if (end < 0) {
          escaped = endsInEscape(chunk, at);
          i = n - 1;
          continue;
        }
        escaped = false;
        inString = false;
        i = end;
        continue;
      }
      const c = chunk[i];
      if (c === QUOTE) inString = true;
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
