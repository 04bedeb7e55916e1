// The token scanner for OVN match expressions. It reproduces lib/lex.c of OVN 23.03 token for token, including
// where each error token ends, because the parser's verdict depends on exactly which token comes next.
// Offsets are UTF-16 indexes into the JS string; OVN counts bytes, which only matters for the positions of
// non-ASCII text (OVN accepts it only inside quoted strings).
import { parseIpv4 } from '../net/ipv4.js';
import { parseIpv6 } from '../net/ipv6.js';
import { scanOvsMac } from '../net/mac.js';

export type NumberFormat = 'decimal' | 'hexadecimal' | 'ipv4' | 'ipv6' | 'ethernet';

export type LexType =
  | 'end'
  | 'id'
  | 'string'
  | 'integer'
  | 'masked'
  | 'macro'
  | 'portGroup'
  | 'error'
  | 'comment'
  | '('
  | ')'
  | '{'
  | '}'
  | '['
  | ']'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | '!'
  | '&&'
  | '||'
  | '..'
  | ','
  | ';'
  | '='
  | '<->'
  | '--'
  | ':'
  | '-';

export interface LexToken {
  readonly type: LexType;
  readonly start: number;
  readonly end: number;
  /** Identifier or `$`/`@` name, unescaped string value, or the error message of an error token. */
  readonly s?: string;
  readonly value?: bigint;
  readonly mask?: bigint;
  readonly format?: NumberFormat;
  /** A CIDR or masked constant whose value had 1-bits outside the mask; OVN clears them silently. */
  readonly hostBits?: boolean;
  /** Where inside an error token the problem is, when narrower than the token (a bad escape in a string). */
  readonly errorStart?: number;
  readonly errorEnd?: number;
}

/** `union mf_subvalue` is 128 bytes, so OVN's hex constants may carry up to 1024 bits. */
const MAX_HEX_BITS = 1024;
/** INET6_ADDRSTRLEN: OVN only tries the address parsers on shorter runs. */
const INET6_ADDRSTRLEN = 46;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const isAlnum = (c: string | undefined): boolean => c !== undefined && /^[0-9a-zA-Z]$/.test(c);
export const isIdStart = (c: string | undefined): boolean => c !== undefined && /^[a-zA-Z_.]$/.test(c);
export const isIdChar = (c: string | undefined): boolean => c !== undefined && /^[a-zA-Z_.0-9]$/.test(c);

interface Scanned {
  token: LexToken;
  next: number;
}

function err(start: number, end: number, message: string, at?: { start: number; end: number }): LexToken {
  const t: { -readonly [K in keyof LexToken]: LexToken[K] } = { type: 'error', start, end, s: message };
  if (at) {
    t.errorStart = at.start;
    t.errorEnd = at.end;
  }
  return t;
}

/** Bits needed to hold `v` (0 for 0), i.e. OVS's mf_subvalue_width(). */
export function bitWidth(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

interface PlainInteger {
  ok: true;
  value: bigint;
  format: NumberFormat;
}
interface IntegerError {
  ok: false;
  message: string;
}

/** lex_parse_integer__(): the extent of a number-like run and its interpretation. */
function scanInteger(text: string, p: number): { end: number; result: PlainInteger | IntegerError } {
  let end = p;
  let sawDot = false;
  for (;;) {
    const c = text[end];
    if (isAlnum(c) || (c === ':' && !sawDot) || (c === '.' && text[end + 1] !== '.')) {
      if (c === '.') sawDot = true;
      end++;
    } else {
      break;
    }
  }
  const run = text.slice(p, end);
  const len = run.length;
  if (len === 0) return { end, result: { ok: false, message: 'Integer constant expected.' } };
  if (len === 17) {
    const mac = scanOvsMac(run);
    if (mac?.end === len) return { end, result: { ok: true, value: mac.value, format: 'ethernet' } };
  }
  if (/^[0-9]+$/.test(run)) {
    if (run.startsWith('0') && len > 1) {
      return { end, result: { ok: false, message: 'Decimal constants must not have leading zeros.' } };
    }
    const value = BigInt(run);
    if (value >= 1n << 64n) {
      return { end, result: { ok: false, message: 'Decimal constants must be less than 2**64.' } };
    }
    return { end, result: { ok: true, value, format: 'decimal' } };
  }
  if (run.startsWith('0') && (run[1] === 'x' || run[1] === 'X')) {
    if (len <= 2) return { end, result: { ok: false, message: `Hex digits expected following 0${run[1]}.` } };
    // OVN walks the digits from the least significant end, so which of two problems it reports depends on
    // where they sit; walking the same way reproduces its message.
    const digits = run.slice(2);
    for (let i = 0; i < digits.length; i++) {
      const c = digits[digits.length - 1 - i];
      if (!isHex(c)) return { end, result: { ok: false, message: 'Invalid syntax in hexadecimal constant.' } };
      if (c !== '0' && Math.floor(i / 2) >= MAX_HEX_BITS / 8) {
        return { end, result: { ok: false, message: `Hexadecimal constant requires more than ${MAX_HEX_BITS} bits.` } };
      }
    }
    return { end, result: { ok: true, value: BigInt(`0x${digits}`), format: 'hexadecimal' } };
  }
  if (len < INET6_ADDRSTRLEN) {
    const v4 = parseIpv4(run);
    if (v4 !== undefined) return { end, result: { ok: true, value: v4, format: 'ipv4' } };
    const v6 = parseIpv6(run);
    if (v6 !== undefined) return { end, result: { ok: true, value: v6, format: 'ipv6' } };
  }
  return { end, result: { ok: false, message: 'Invalid numeric constant.' } };
}

function prefixMask(bits: number, width: number): bigint {
  return bits <= 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(width - bits);
}

/** lex_parse_integer(): a number, optionally followed directly by `/mask`. */
function scanNumber(text: string, p: number): Scanned {
  const first = scanInteger(text, p);
  if (!first.result.ok) return { token: err(p, first.end, first.result.message), next: first.end };
  const { value, format } = first.result;
  if (text[first.end] !== '/') {
    return { token: { type: 'integer', start: p, end: first.end, value, format }, next: first.end };
  }
  const second = scanInteger(text, first.end + 1);
  const end = second.end;
  if (!second.result.ok) return { token: err(p, end, second.result.message), next: end };
  const m = second.result;
  // OVN reads a decimal mask through a uint32_t, so a prefix length is taken modulo 2**32.
  const prefixBits = Number(m.value & 0xffffffffn);
  let mask: bigint;
  let outFormat = format;
  if (format === m.format) {
    mask = m.value;
  } else if (format === 'ipv4' && m.format === 'decimal' && prefixBits <= 32) {
    mask = prefixMask(prefixBits, 32);
  } else if (format === 'ipv6' && m.format === 'decimal' && prefixBits <= 128) {
    mask = prefixMask(prefixBits, 128);
  } else if (format === 'decimal' && m.format === 'hexadecimal' && value === 0n) {
    mask = m.value;
    outFormat = 'hexadecimal';
  } else {
    return { token: err(p, end, 'Value and mask have incompatible formats.'), next: end };
  }
  const masked = value & mask;
  const token: LexToken = {
    type: 'masked',
    start: p,
    end,
    value: masked,
    mask,
    format: outFormat,
    hostBits: masked !== value,
  };
  return { token, next: end };
}

const SURROGATE_LEAD = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const SURROGATE_TRAIL = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/**
 * OVS's json_string_unescape() of OVS 3.1: JSON escapes, with its own error wording. Returns the value, or the
 * message and the offset (into `raw`) of the escape at fault.
 */
export function unescapeOvsString(raw: string): { value: string } | { message: string; at: number; len: number } {
  let out = '';
  const hex4 = (at: number): number | string => {
    if (at + 4 > raw.length) return 'quoted string ends within \\u escape';
    const h = raw.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) return 'malformed \\u escape';
    const v = Number.parseInt(h, 16);
    return v === 0 ? 'null bytes not supported in quoted strings' : v;
  };
  for (let i = 0; i < raw.length;) {
    const c = raw[i] ?? '';
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const at = i;
    const e = raw[i + 1] ?? '';
    i += 2;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        const c0 = hex4(i);
        if (typeof c0 === 'string') return { message: c0, at, len: Math.min(6, raw.length - at) };
        i += 4;
        if (!SURROGATE_LEAD(c0)) {
          out += String.fromCharCode(c0);
          break;
        }
        if (i + 2 > raw.length || raw[i] !== '\\' || raw[i + 1] !== 'u') {
          return { message: 'malformed escaped surrogate pair', at, len: 6 };
        }
        const c1 = hex4(i + 2);
        if (typeof c1 === 'string') return { message: c1, at, len: Math.min(12, raw.length - at) };
        if (!SURROGATE_TRAIL(c1)) {
          return { message: 'second half of escaped surrogate pair is not trailing surrogate', at, len: 12 };
        }
        i += 6;
        out += String.fromCharCode(c0, c1);
        break;
      }
      default:
        return { message: `bad escape \\${e}`, at, len: 2 };
    }
  }
  return { value: out };
}

function scanString(text: string, p: number): Scanned {
  let i = p + 1;
  for (;;) {
    const c = text[i];
    if (c === undefined) return { token: err(p, i, 'Input ends inside quoted string.'), next: i };
    if (c === '"') break;
    i += c === '\\' && i + 1 < text.length ? 2 : 1;
  }
  const raw = text.slice(p + 1, i);
  const next = i + 1;
  const r = unescapeOvsString(raw);
  if ('message' in r) {
    const at = p + 1 + r.at;
    return { token: err(p, next, r.message, { start: at, end: at + r.len }), next };
  }
  return { token: { type: 'string', start: p, end: next, s: r.value }, next };
}

function scanName(text: string, p: number, type: 'id' | 'macro' | 'portGroup'): Scanned {
  let i = p;
  do i++;
  while (isIdChar(text[i]));
  // For `$name` and `@name`, `p` is just past the sigil, which still belongs to the token.
  return { token: { type, start: type === 'id' ? p : p - 1, end: i, s: text.slice(p, i) }, next: i };
}

/** The first byte of the character's UTF-8 form, as a signed C char (how OVN prints it). */
function signedFirstByte(cp: number): number {
  let b: number;
  if (cp < 0x80) b = cp;
  else if (cp < 0x800) b = 0xc0 | (cp >> 6);
  else if (cp < 0x10000) b = 0xe0 | (cp >> 12);
  else b = 0xf0 | (cp >> 18);
  return b > 127 ? b - 256 : b;
}

/** lex_token_parse(): one token starting at or after `p` (white space and comments come back as tokens too). */
function scanOne(text: string, p: number): Scanned {
  const c = text[p];
  const one = (type: LexType, len = 1): Scanned => ({ token: { type, start: p, end: p + len }, next: p + len });
  const bad = (message: string): Scanned => ({ token: err(p, p + 1, message), next: p + 1 });
  switch (c) {
    case undefined:
      return { token: { type: 'end', start: p, end: p }, next: p };
    case '/': {
      if (text[p + 1] === '/') {
        let i = p + 2;
        while (i < text.length && text[i] !== '\n') i++;
        return { token: { type: 'comment', start: p, end: i }, next: i };
      }
      if (text[p + 1] === '*') {
        for (let i = p + 2; ; i++) {
          if (text[i] === '*' && text[i + 1] === '/') {
            return { token: { type: 'comment', start: p, end: i + 2 }, next: i + 2 };
          }
          if (i >= text.length || text[i] === '\n') return { token: err(p, i, "`/*' without matching `*/'."), next: i };
        }
      }
      return bad("`/' is only valid as part of `//' or `/*'.");
    }
    case '(':
    case ')':
    case '{':
    case '}':
    case '[':
    case ']':
    case ',':
    case ';':
      return one(c);
    case '=':
      return text[p + 1] === '=' ? one('==', 2) : one('=');
    case '!':
      return text[p + 1] === '=' ? one('!=', 2) : one('!');
    case '&':
      return text[p + 1] === '&' ? one('&&', 2) : bad("`&' is only valid as part of `&&'.");
    case '|':
      return text[p + 1] === '|' ? one('||', 2) : bad("`|' is only valid as part of `||'.");
    case '<':
      if (text[p + 1] === '=') return one('<=', 2);
      if (text[p + 1] === '-' && text[p + 2] === '>') return one('<->', 3);
      return one('<');
    case '>':
      return text[p + 1] === '=' ? one('>=', 2) : one('>');
    case '.':
      return text[p + 1] === '.' ? one('..', 2) : bad("`.' is only valid as part of `..' or a number.");
    case '-':
      return text[p + 1] === '-' ? one('--', 2) : one('-');
    case '$':
    case '@': {
      const type = c === '$' ? 'macro' : 'portGroup';
      if (!isIdStart(text[p + 1])) return bad(`\`${c}' must be followed by a valid identifier.`);
      return scanName(text, p + 1, type);
    }
    case ':':
      if (text[p + 1] !== ':') return one(':');
      return scanNumber(text, p);
    case '"':
      return scanString(text, p);
    default:
      break;
  }
  if (isDigit(c)) return scanNumber(text, p);
  if (isHex(c)) {
    // Ethernet and IPv6 addresses that start with a letter begin with hex digits and a colon, which no
    // identifier does.
    let i = p;
    while (isHex(text[i])) i++;
    return text[i] === ':' ? scanNumber(text, p) : scanName(text, p, 'id');
  }
  if (isIdStart(c)) return scanName(text, p, 'id');
  const cp = text.codePointAt(p) ?? 0;
  const len = cp > 0xffff ? 2 : 1;
  const message =
    cp >= 0x20 && cp < 0x7f
      ? `Invalid character \`${String.fromCharCode(cp)}' in input.`
      : `Invalid byte 0x${signedFirstByte(cp)} in input.`;
  return { token: err(p, p + len, message), next: p + len };
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\v', '\f']);

/**
 * Every token of `text`, comments included, ending with one 'end' token. After an error token scanning goes
 * on where OVN's lexer would, so the highlighter can colour the rest.
 */
export function scan(text: string): LexToken[] {
  const out: LexToken[] = [];
  let p = 0;
  for (;;) {
    while (WHITESPACE.has(text[p] ?? '')) p++;
    const { token, next } = scanOne(text, p);
    out.push(token);
    if (token.type === 'end') return out;
    p = next;
  }
}
