/**
 * JSON with exact 64-bit integers.
 *
 * OVSDB integers are int64, and ovsdb-server sends ±(2^63-1) as plain JSON numbers, which `JSON.parse`
 * rounds. Integer literals outside the safe range therefore become `bigint`; every other number stays a
 * `number`, so the common case keeps native `JSON.parse` speed.
 */

export type Json = null | boolean | number | bigint | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    /** What was wrong, without the position. */
    readonly reason: string,
    readonly position: number,
  ) {
    super(`${reason} at position ${position}`);
  }
}

export interface ParseJsonOptions {
  /**
   * Refuse text whose arrays and objects nest deeper than this, before parsing it. Input from clients
   * gets a limit so that code walking the value recursively can never exhaust the stack.
   */
  maxDepth?: number;
}

/** The position of the first bracket nested deeper than `maxDepth`, or -1; brackets inside strings do not count. */
export function findDepthExcess(text: string, maxDepth: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

/**
 * Whether `text` has 16 or more ASCII digits in a row. Only an integer literal that long can lose precision
 * in a double, so text without such a run is safe for JSON.parse (a run inside a string merely sends it down
 * the exact path). A run of 16 covers exactly one index ≡ 15 (mod 16), so only those are read until a digit
 * turns up, then the run around it is measured: a sixteenth of the text instead of every character (a
 * regular expression here was a tenth of the time a browser took to take in a large snapshot).
 */
export function hasLongDigitRun(text: string): boolean {
  const n = text.length;
  for (let p = 15; p < n; p += 16) {
    let c = text.charCodeAt(p);
    if (c < 0x30 || c > 0x39) continue;
    let a = p - 1;
    while (a >= 0 && (c = text.charCodeAt(a)) >= 0x30 && c <= 0x39) a--;
    let b = p + 1;
    while (b < n && (c = text.charCodeAt(b)) >= 0x30 && c <= 0x39) b++;
    if (b - a - 1 >= 16) return true;
  }
  return false;
}

/** Parse JSON text; integers that do not fit a double exactly come back as `bigint`. */
export function parseJson(text: string, opts?: ParseJsonOptions): Json {
  if (opts?.maxDepth !== undefined) {
    const at = findDepthExcess(text, opts.maxDepth);
    if (at >= 0) throw new JsonSyntaxError(`nested more than ${opts.maxDepth} levels deep`, at);
  }
  return parseJsonScanned(text, hasLongDigitRun(text));
}

/**
 * `parseJson` for a caller that has already looked at every byte of `text` and knows whether a number
 * literal in it has 16 or more digits in a row (`longNumbers`): the message reader does, and on a large
 * monitor reply the regular-expression pass it saves is a tenth of the parse time.
 */
export function parseJsonScanned(text: string, longNumbers: boolean): Json {
  if (longNumbers) return new ExactParser(text).parseDocument();
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    // Re-parse with our own parser to give a uniform error with a position.
    new ExactParser(text).parseDocument();
    throw err;
  }
}

class ExactParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): Json {
    this.skipWs();
    const value = this.parseValue();
    this.skipWs();
    if (this.pos !== this.text.length) this.fail('unexpected trailing characters');
    return value;
  }

  private fail(message: string): never {
    throw new JsonSyntaxError(message, this.pos);
  }

  private skipWs(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  private parseValue(): Json {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.parseObject();
      case 0x5b: // [
        return this.parseArray();
      case 0x22: // "
        return this.parseString();
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        return this.literal('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
        return this.fail(Number.isNaN(c) ? 'unexpected end of input' : 'unexpected character');
    }
  }

  private literal<T extends Json>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('invalid literal');
    this.pos += word.length;
    return value;
  }

  private parseObject(): JsonObject {
    const out: JsonObject = {};
    this.pos++;
    this.skipWs();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWs();
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('expected string key');
      const key = this.parseString();
      this.skipWs();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail("expected ':'");
      this.pos++;
      this.skipWs();
      // defineProperty keeps a "__proto__" key as data instead of changing the prototype.
      Object.defineProperty(out, key, {
        value: this.parseValue(),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipWs();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x7d) return out;
      if (c !== 0x2c) {
        this.pos--;
        this.fail("expected ',' or '}'");
      }
    }
  }

  private parseArray(): Json[] {
    const out: Json[] = [];
    this.pos++;
    this.skipWs();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWs();
      out.push(this.parseValue());
      this.skipWs();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x5d) return out;
      if (c !== 0x2c) {
        this.pos--;
        this.fail("expected ',' or ']'");
      }
    }
  }

  private parseString(): string {
    const t = this.text;
    const start = this.pos;
    let p = start + 1;
    let simple = true;
    for (;;) {
      const c = t.charCodeAt(p);
      if (Number.isNaN(c)) {
        this.pos = p;
        this.fail('unterminated string');
      }
      if (c === 0x22) break;
      if (c < 0x20) {
        this.pos = p;
        this.fail('control character in string');
      }
      if (c === 0x5c) {
        simple = false;
        p += 2;
      } else p++;
    }
    this.pos = p + 1;
    if (simple) return t.slice(start + 1, p);
    try {
      return JSON.parse(t.slice(start, p + 1)) as string;
    } catch {
      this.pos = start;
      return this.fail('invalid escape in string');
    }
  }

  private parseNumber(): number | bigint {
    const t = this.text;
    const start = this.pos;
    let p = start;
    if (t.charCodeAt(p) === 0x2d) p++;
    const intStart = p;
    while (isDigit(t.charCodeAt(p))) p++;
    if (p === intStart) {
      this.pos = p;
      this.fail('invalid number');
    }
    if (t.charCodeAt(intStart) === 0x30 && p - intStart > 1) {
      this.pos = intStart;
      this.fail('leading zero in number');
    }
    let integer = true;
    if (t.charCodeAt(p) === 0x2e) {
      integer = false;
      p++;
      const fracStart = p;
      while (isDigit(t.charCodeAt(p))) p++;
      if (p === fracStart) {
        this.pos = p;
        this.fail('invalid number');
      }
    }
    const e = t.charCodeAt(p);
    if (e === 0x65 || e === 0x45) {
      integer = false;
      p++;
      const s = t.charCodeAt(p);
      if (s === 0x2b || s === 0x2d) p++;
      const expStart = p;
      while (isDigit(t.charCodeAt(p))) p++;
      if (p === expStart) {
        this.pos = p;
        this.fail('invalid number');
      }
    }
    this.pos = p;
    const literal = t.slice(start, p);
    const n = Number(literal);
    if (integer && !Number.isSafeInteger(n)) return BigInt(literal);
    return n;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Serialize JSON, writing `bigint` values as plain integer literals. */
export function stringifyJson(value: Json): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    // JSON.stringify refuses bigint; only then pay for our own walk.
    return stringifyExact(value);
  }
}

function stringifyExact(value: Json): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    default:
      break;
  }
  if (Array.isArray(value)) return `[${value.map(stringifyExact).join(',')}]`;
  const parts: string[] = [];
  // Typed Json, an object can still hold `undefined` (an optional field left out); it is skipped, as JSON.stringify does.
  const entries: [string, Json | undefined][] = Object.entries(value);
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    parts.push(`${JSON.stringify(k)}:${stringifyExact(v)}`);
  }
  return `{${parts.join(',')}}`;
}
