// Tokens for syntax highlighting: the scanner's tokens, classified for display.
import { scan, type LexToken } from './scanner.js';
import { lookupField } from './symbols.js';

export type MatchTokenKind =
  | 'field'
  | 'predicate'
  | 'function'
  | 'identifier'
  | 'operator'
  | 'number'
  | 'string'
  | 'macAddress'
  | 'ipv4'
  | 'ipv6'
  | 'addressSet'
  | 'portGroup'
  | 'punctuation'
  | 'comment'
  | 'error';

export interface MatchToken {
  readonly kind: MatchTokenKind;
  /** [start, end) offsets into the text. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** For error tokens: what is wrong, in OVN's words. */
  readonly message?: string;
}

function kindOf(t: LexToken): MatchTokenKind | undefined {
  switch (t.type) {
    case 'end':
      return undefined;
    case 'id': {
      const name = t.s ?? '';
      if (name === 'is_chassis_resident') return 'function';
      const f = lookupField(name);
      if (!f) return 'identifier';
      return f.kind === 'predicate' ? 'predicate' : 'field';
    }
    case 'integer':
    case 'masked':
      switch (t.format) {
        case 'ethernet':
          return 'macAddress';
        case 'ipv4':
          return 'ipv4';
        case 'ipv6':
          return 'ipv6';
        default:
          return 'number';
      }
    case 'string':
      return 'string';
    case 'macro':
      return 'addressSet';
    case 'portGroup':
      return 'portGroup';
    case 'error':
      return 'error';
    case 'comment':
      return 'comment';
    case '(':
    case ')':
    case '{':
    case '}':
    case '[':
    case ']':
    case ',':
    case ';':
    case ':':
      return 'punctuation';
    default:
      return 'operator';
  }
}

/** Every token of a match, comments included, in order; white space is not a token. */
export function lexMatch(text: string): MatchToken[] {
  const out: MatchToken[] = [];
  for (const t of scan(text)) {
    const kind = kindOf(t);
    if (kind === undefined) continue;
    const token: MatchToken = { kind, start: t.start, end: t.end, text: text.slice(t.start, t.end) };
    out.push(kind === 'error' && t.s !== undefined ? { ...token, message: t.s } : token);
  }
  return out;
}
