/**
 * JSON read lazily: a `JsonSlice` is the text of one value, whose object members and array elements can be
 * walked without parsing them, and parsed one at a time.
 *
 * Why: a compacted database file is one record holding every row (60 MB of JSON for OVN's 151,000-row
 * benchmark dataset). Parsing it whole builds a tree that lives until the last row is converted, so V8
 * promotes all of it to the old generation first, and loading spent half its time in the garbage
 * collector. Parsed row by row, each row's JSON dies young and only the rows kept are ever promoted.
 *
 * Walking checks the structure it passes over (brackets, strings, separators); the values themselves are
 * checked by `parseJson` when parsed. Errors are `JsonSyntaxError`s with a position in the text.
 */
import { JsonSyntaxError, parseJson, type Json } from '@ovsdb-web/client';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

export class JsonSlice {
  constructor(
    readonly text: string,
    /** Index of the value's first character. */
    readonly start: number,
    /** Index just after its last character. */
    readonly end: number,
  ) {}

  /** A slice of a whole text (one value, possibly surrounded by white space). */
  static of(text: string): JsonSlice {
    const start = skipSpace(text, 0);
    const end = skipValue(text, start);
    if (skipSpace(text, end) !== text.length) throw new JsonSyntaxError('unexpected text after the value', end);
    return new JsonSlice(text, start, end);
  }

  get isObject(): boolean {
    return this.text.charCodeAt(this.start) === OPEN_OBJECT;
  }

  get isArray(): boolean {
    return this.text.charCodeAt(this.start) === OPEN_ARRAY;
  }

  get isNull(): boolean {
    return this.text.startsWith('null', this.start);
  }

  parse(): Json {
    return parseJson(this.text.slice(this.start, this.end));
  }

  /** The members of an object, in text order (the caller checks `isObject` first). */
  *members(): Generator<[string, JsonSlice]> {
    const t = this.text;
    let i = skipSpace(t, this.start + 1);
    if (t.charCodeAt(i) === CLOSE_OBJECT) return;
    for (;;) {
      if (t.charCodeAt(i) !== QUOTE) throw new JsonSyntaxError('expected a member name', i);
      const keyEnd = skipString(t, i);
      // Parsed rather than sliced: a slice would keep the whole record's text alive for as long as the key
      // is kept (row UUIDs are kept for good), and parsing also undoes escapes.
      const key: unknown = JSON.parse(t.slice(i, keyEnd));
      if (typeof key !== 'string') throw new JsonSyntaxError('expected a member name', i);
      i = skipSpace(t, keyEnd);
      if (t.charCodeAt(i) !== COLON) throw new JsonSyntaxError("expected ':'", i);
      const vs = skipSpace(t, i + 1);
      const ve = skipValue(t, vs);
      yield [key, new JsonSlice(t, vs, ve)];
      i = skipSpace(t, ve);
      const c = t.charCodeAt(i);
      if (c === CLOSE_OBJECT) return;
      if (c !== COMMA) throw new JsonSyntaxError("expected ',' or '}'", i);
      i = skipSpace(t, i + 1);
    }
  }

  /** The elements of an array (the caller checks `isArray` first). */
  elements(): JsonSlice[] {
    const t = this.text;
    const out: JsonSlice[] = [];
    let i = skipSpace(t, this.start + 1);
    if (t.charCodeAt(i) === CLOSE_ARRAY) return out;
    for (;;) {
      const ve = skipValue(t, i);
      out.push(new JsonSlice(t, i, ve));
      i = skipSpace(t, ve);
      const c = t.charCodeAt(i);
      if (c === CLOSE_ARRAY) return out;
      if (c !== COMMA) throw new JsonSyntaxError("expected ',' or ']'", i);
      i = skipSpace(t, i + 1);
    }
  }
}

function skipSpace(t: string, i: number): number {
  let j = i;
  for (;;) {
    const c = t.charCodeAt(j);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return j;
    j++;
  }
}

/** Index just after the string starting at `i` (its opening quote). */
function skipString(t: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = t.indexOf('"', j);
    if (q < 0) throw new JsonSyntaxError('unterminated string', i);
    // The quote ends the string unless an odd number of backslashes precede it.
    let k = q - 1;
    while (k > i && t.charCodeAt(k) === BACKSLASH) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** Index just after the value starting at `i`. Nested values are only bracket-matched, not parsed. */
function skipValue(t: string, i: number): number {
  const c = t.charCodeAt(i);
  if (c === QUOTE) return skipString(t, i);
  if (c !== OPEN_OBJECT && c !== OPEN_ARRAY) {
    // A number or a literal: up to the next separator.
    let j = i;
    for (;;) {
      const d = t.charCodeAt(j);
      if (Number.isNaN(d) || d === COMMA || d === CLOSE_OBJECT || d === CLOSE_ARRAY || d <= 0x20) break;
      j++;
    }
    if (j === i) throw new JsonSyntaxError('expected a value', i);
    return j;
  }
  let depth = 0;
  let j = i;
  for (;;) {
    const d = t.charCodeAt(j);
    if (Number.isNaN(d)) throw new JsonSyntaxError('unterminated value', i);
    if (d === QUOTE) {
      j = skipString(t, j);
      continue;
    }
    if (d === OPEN_OBJECT || d === OPEN_ARRAY) depth++;
    else if (d === CLOSE_OBJECT || d === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
}
