/**
 * Splits a byte stream into JSON-RPC messages. OVSDB has no framing: messages are JSON objects written
 * back to back, optionally separated by whitespace. We find each object's end by tracking brace depth
 * outside strings, which needs little state carried across chunks: the stack of open containers, whether we
 * are inside a string, and whether the previous byte was a backslash there. UTF-8 continuation and lead bytes are all >= 0x80, so scanning bytes for ASCII punctuation
 * is safe without decoding first.
 *
 * Cost is linear in bytes received: each byte is looked at once (string contents by `indexOf`, and only
 * the backslashes before a quote twice), chunks of an incomplete message are only collected, and they
 * are joined and decoded once when the closing brace arrives. `bytesScanned` counts
 * the looked-at bytes so tests can check that claim without timing anything.
 */
import { parseJsonScanned, type Json, type JsonObject } from '../wire/json.js';
import { ProtocolError } from './errors.js';

export interface MessageReaderOptions {
  /** A message larger than this is a protocol error (it would otherwise be buffered without bound). */
  maxMessageBytes?: number;
}

export const DEFAULT_MAX_MESSAGE_BYTES = 512 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

export class MessageReader {
  /** Bytes examined by the scanner so far; equals bytes pushed while the stream is healthy. */
  bytesScanned = 0;
  readonly maxMessageBytes: number;

  /** Closers expected for the containers currently open, innermost last; empty between messages. */
  private open: number[] = [];
  private inString = false;
  private escaped = false;
  /** Digits in a row outside strings so far, and whether the message has had 16 of them (see json.ts). */
  private digits = 0;
  private longNumber = false;
  /** Pieces of the message in progress that arrived in earlier chunks. */
  private pieces: Buffer[] = [];
  private piecesBytes = 0;
  private failed = false;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  /**
   * `onMessage` runs synchronously inside `push`, once per message, in stream order. If it throws, the
   * reader stops (the rest of the stream can no longer be located reliably) and reports the throw through
   * `onError`. `onError` is called at most once; afterwards `push` ignores its input.
   */
  constructor(
    private readonly onMessage: (msg: JsonObject) => void,
    private readonly onError: (err: Error) => void,
    opts: MessageReaderOptions = {},
  ) {
    this.maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  /** Bytes of an incomplete message held back, waiting for its end. */
  get partialBytes(): number {
    return this.piecesBytes;
  }

  get hasFailed(): boolean {
    return this.failed;
  }

  push(chunk: Buffer): void {
    if (this.failed) return;
    const n = chunk.length;
    let i = 0;
    // Where the message in progress begins within this chunk; 0 when it began in an earlier one.
    let start = 0;
    while (i < n) {
      if (this.open.length === 0) {
        const c = chunk[i] as number;
        this.bytesScanned++;
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
          i++;
          continue;
        }
        if (c !== OPEN_BRACE) {
          this.fail(new ProtocolError(describeBadTopLevel(c)));
          return;
        }
        this.open.push(CLOSE_BRACE);
        this.digits = 0;
        this.longNumber = false;
        start = i;
        i++;
        // Fall through even at the end of the chunk, so the opening brace is kept as a piece.
      }

      // Locals keep the hot loop out of property loads; written back below.
      const open = this.open;
      let inString = this.inString;
      let escaped = this.escaped;
      let digits = this.digits;
      let longNumber = this.longNumber;
      let mismatch = false;
      const from = i;
      for (; i < n; i++) {
        if (inString) {
          // Strings are most of the bytes: native indexOf finds their end faster than a look at each
          // byte here would. A chunk that began inside an escape has its first byte escaped.
          const at = escaped ? i + 1 : i;
          const end = stringEnd(chunk, at);
          if (end < 0) {
            escaped = endsInEscape(chunk, at);
            i = n - 1; // the loop's i++ then ends the chunk
            continue;
          }
          escaped = false;
          inString = false;
          i = end;
          continue;
        }
        const c = chunk[i] as number;
        if (c <= 0x39 && c >= 0x30) {
          // Only a number literal has digits outside strings; JSON.parse is exact below 16 of them.
          if (++digits >= 16) longNumber = true;
        } else {
          digits = 0;
          if (c === QUOTE) {
            inString = true;
          } else if (c === OPEN_BRACE) {
            open.push(CLOSE_BRACE);
          } else if (c === OPEN_BRACKET) {
            open.push(CLOSE_BRACKET);
          } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
            // Checking the kind, not just the depth, keeps `{"a":[1}` from swallowing the messages after it
            // while we wait for a depth of zero that may never come.
            if (open.pop() !== c) {
              mismatch = true;
              i++;
              break;
            }
            if (open.length === 0) {
              i++;
              break;
            }
          }
        }
      }
      this.bytesScanned += i - from;
      this.inString = inString;
      this.escaped = escaped;
      this.digits = digits;
      this.longNumber = longNumber;
      if (mismatch) {
        this.fail(new ProtocolError(`malformed JSON: unbalanced '${String.fromCharCode(chunk[i - 1] as number)}'`));
        return;
      }

      const size = this.piecesBytes + (i - start);
      if (size > this.maxMessageBytes) {
        this.fail(new ProtocolError(`message exceeds ${this.maxMessageBytes} bytes`));
        return;
      }
      if (open.length > 0) {
        // End of chunk inside a message: keep a view, copy nothing yet.
        this.pieces.push(chunk.subarray(start, n));
        this.piecesBytes = size;
        return;
      }
      const tail = chunk.subarray(start, i);
      const bytes = this.pieces.length === 0 ? tail : Buffer.concat([...this.pieces, tail], size);
      this.pieces = [];
      this.piecesBytes = 0;
      if (!this.deliver(bytes)) return;
    }
  }

  private deliver(bytes: Buffer): boolean {
    let text: string;
    try {
      text = this.decoder.decode(bytes);
    } catch (err) {
      this.fail(new ProtocolError('message is not valid UTF-8', { cause: err }));
      return false;
    }
    let value: Json;
    try {
      value = parseJsonScanned(text, this.longNumber);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.fail(new ProtocolError(`malformed JSON: ${why}`, { cause: err }));
      return false;
    }
    // The scanner only starts a message at '{' and parseJson accepted it whole, so it is an object.
    try {
      this.onMessage(value as JsonObject);
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
      return false;
    }
    return true;
  }

  private fail(err: Error): void {
    this.failed = true;
    this.open = [];
    this.pieces = [];
    this.piecesBytes = 0;
    this.onError(err);
  }
}

/**
 * Where the string being scanned ends in `chunk`: the index of its closing quote, looking from `from`
 * (the first byte that is neither the opening quote nor the second byte of an escape), or -1 when the
 * string goes on past the chunk. A quote after an odd run of backslashes is escaped. UTF-8 bytes of
 * non-ASCII characters are all >= 0x80, so they never look like either.
 */
function stringEnd(chunk: Buffer, from: number): number {
  let p = from;
  for (;;) {
    const q = chunk.indexOf(QUOTE, p);
    if (q < 0) return -1;
    let b = q;
    while (b > p && chunk[b - 1] === BACKSLASH) b--;
    if (((q - b) & 1) === 0) return q;
    p = q + 1;
  }
}

/** Whether `chunk` ends inside a string in the middle of an escape (an odd run of trailing backslashes). */
function endsInEscape(chunk: Buffer, from: number): boolean {
  let b = chunk.length;
  while (b > from && chunk[b - 1] === BACKSLASH) b--;
  return ((chunk.length - b) & 1) === 1;
}

function describeBadTopLevel(c: number): string {
  if (c === OPEN_BRACKET) return 'message is a JSON array, not an object';
  if (c === QUOTE || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e) {
    return 'message is a JSON scalar, not an object';
  }
  const shown = c >= 0x21 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `0x${c.toString(16).padStart(2, '0')}`;
  return `malformed JSON: unexpected byte ${shown} between messages`;
}
