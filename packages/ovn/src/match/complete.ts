// Completion candidates for the token at the cursor of a match being typed.
import type { MatchContext } from './context.js';
import { scan, type LexToken } from './scanner.js';
import { lookupField, MATCH_FIELDS, MATCH_FUNCTIONS } from './symbols.js';

export type CompletionKind = 'field' | 'predicate' | 'function' | 'addressSet' | 'portGroup' | 'port';

export interface CompletionItem {
  /** The text to insert in place of [from, to). */
  readonly label: string;
  readonly kind: CompletionKind;
  readonly detail: string;
}

export interface Completion {
  /** The range the chosen label replaces (the token being typed, or an empty range at the cursor). */
  readonly from: number;
  readonly to: number;
  readonly items: readonly CompletionItem[];
}

const RELOPS = new Set(['==', '!=', '<', '<=', '>', '>=']);

function symbols(prefix: string): CompletionItem[] {
  const items: CompletionItem[] = MATCH_FIELDS.filter((f) => f.name.startsWith(prefix)).map((f) => ({
    label: f.name,
    kind: f.kind === 'predicate' ? 'predicate' : 'field',
    detail: f.width === 0 ? `string — ${f.description}` : `${f.width}-bit ${f.level} — ${f.description}`,
  }));
  for (const fn of MATCH_FUNCTIONS) {
    if (fn.name.startsWith(prefix)) items.push({ label: `${fn.name}(`, kind: 'function', detail: fn.description });
  }
  return items.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

function named(
  names: Iterable<string>,
  prefix: string,
  sigil: string,
  kind: CompletionKind,
  detail: (n: string) => string,
): CompletionItem[] {
  return [...names]
    .filter((n) => n.startsWith(prefix))
    .sort()
    .map((n) => ({ label: `${sigil}${n}`, kind, detail: detail(n) }));
}

function addressSets(ctx: MatchContext | undefined, prefix: string): CompletionItem[] {
  const sets = ctx?.addressSets;
  return sets
    ? named(sets.keys(), prefix, '$', 'addressSet', (n) => `address set, ${sets.get(n)?.length ?? 0} addresses`)
    : [];
}

function portGroups(ctx: MatchContext | undefined, prefix: string): CompletionItem[] {
  const groups = ctx?.portGroups;
  return groups
    ? named(groups.keys(), prefix, '@', 'portGroup', (n) => `port group, ${groups.get(n)?.length ?? 0} ports`)
    : [];
}

function ports(ctx: MatchContext | undefined, prefix: string): CompletionItem[] {
  const names = ctx?.datapathPorts ?? ctx?.ports;
  return names
    ? named(names, prefix, '', 'port', () => 'logical port').map((i) => ({ ...i, label: JSON.stringify(i.label) }))
    : [];
}

/** The field a value at token index `i` is compared with, looking back over `{`, `,` and constants. */
function comparedField(tokens: readonly LexToken[], i: number): string | undefined {
  let j = i - 1;
  while (j >= 0 && ['{', ',', 'string', 'integer', 'masked', 'macro', 'portGroup'].includes(tokens[j]?.type ?? '')) j--;
  const op = tokens[j];
  const field = tokens[j - 1];
  if (!op || !RELOPS.has(op.type) || field?.type !== 'id') return undefined;
  return field.s;
}

function valuesFor(field: string | undefined, ctx: MatchContext | undefined, prefix: string): CompletionItem[] {
  const info = field === undefined ? undefined : lookupField(field);
  if (info?.width === 0) return [...ports(ctx, prefix), ...portGroups(ctx, '')];
  return addressSets(ctx, '');
}

/**
 * Candidates for the token under `cursor` (an offset into `text`): symbols for a name, `$sets` after `$`,
 * `@groups` after `@`, port names inside a string compared with inport/outport. Between tokens it offers what
 * may start there.
 */
export function completeMatch(text: string, cursor: number, context?: MatchContext): Completion {
  const tokens = scan(text).filter((t) => t.type !== 'end');
  const i = tokens.findIndex((t) => t.start < cursor && cursor <= t.end);
  const t = tokens[i];
  if (t) {
    const typed = text.slice(t.start, cursor);
    const whole = { from: t.start, to: t.end };
    if (t.type === 'comment') return { ...whole, items: [] };
    if (t.type === 'id') return { ...whole, items: symbols(typed) };
    if (typed.startsWith('$')) return { ...whole, items: addressSets(context, typed.slice(1)) };
    if (typed.startsWith('@')) return { ...whole, items: portGroups(context, typed.slice(1)) };
    if (typed.startsWith('"')) {
      const field = comparedField(tokens, i);
      return { ...whole, items: field === 'inport' || field === 'outport' ? ports(context, typed.slice(1)) : [] };
    }
    if (!RELOPS.has(t.type) && !['&&', '||', '!', '(', '{', ','].includes(t.type)) return { ...whole, items: [] };
  }
  // Between tokens: after a comparison operator a value may follow, elsewhere a new term.
  const before = tokens.filter((x) => x.end <= cursor);
  const prev = before[before.length - 1];
  const here = { from: cursor, to: cursor };
  if (prev && (RELOPS.has(prev.type) || prev.type === '{' || prev.type === ',')) {
    return { ...here, items: valuesFor(comparedField(tokens, before.length), context, '') };
  }
  if (!prev || ['&&', '||', '!', '('].includes(prev.type)) return { ...here, items: symbols('') };
  return { ...here, items: [] };
}
