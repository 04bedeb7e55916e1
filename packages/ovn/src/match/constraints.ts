// What packets a match accepts, as a disjunction of conjunctions of per-field constraints, with predicates
// expanded and the prerequisites OVN adds (tcp.dst ⇒ tcp ⇒ ip.proto == 6 ⇒ ip) included. Used to find matches
// that can never be true and, in the ACL rules, to compare two matches.
//
// It is an approximation with a known shape: each field's constraint is a union of value/mask patterns (exact
// for ==, !=, masks, bit ranges and relational operators, which OVN itself turns into such patterns), and
// anything it cannot represent — is_chassis_resident(), a `$set`/`@group` whose contents are unknown, or an
// expansion past the size caps — makes the whole analysis "unknown" rather than guessed.
import type { MatchAst, RelOp } from './ast.js';
import type { MatchContext } from './context.js';
import { addressSetValues, parseMatchSyntax } from './parser.js';
import { lookupField, type FieldInfo } from './symbols.js';

export interface Ternary {
  readonly value: bigint;
  readonly mask: bigint;
}

export type FieldSet =
  | { readonly kind: 'bits'; readonly width: number; readonly alts: readonly Ternary[] }
  | { readonly kind: 'str'; readonly only?: ReadonlySet<string>; readonly not: ReadonlySet<string> };

/** Base field name → constraint. A field that is absent is unconstrained. */
export type Conjunction = ReadonlyMap<string, FieldSet>;

export interface MatchSpace {
  /** The match accepts a packet iff some conjunction accepts it; empty means it never matches. */
  readonly conjunctions: readonly Conjunction[];
  /** Base fields whose constraints contradicted each other somewhere (why branches dropped out). */
  readonly conflicts: ReadonlySet<string>;
}

const MAX_CONJUNCTIONS = 256;
const MAX_ALTS = 512;

class TooComplex extends Error {}

const ones = (n: number): bigint => (n <= 0 ? 0n : (1n << BigInt(n)) - 1n);

function intersectTernary(a: Ternary, b: Ternary): Ternary | undefined {
  if (((a.value ^ b.value) & a.mask & b.mask) !== 0n) return undefined;
  return { value: a.value | b.value, mask: a.mask | b.mask };
}

/** `inner` ⊆ `outer`. */
export function ternaryCovers(outer: Ternary, inner: Ternary): boolean {
  return (outer.mask & ~inner.mask) === 0n && ((outer.value ^ inner.value) & outer.mask) === 0n;
}

function dedupe(alts: Ternary[]): Ternary[] {
  const seen = new Map<string, Ternary>();
  for (const t of alts) seen.set(`${t.value.toString(16)}/${t.mask.toString(16)}`, t);
  if (seen.size > MAX_ALTS) throw new TooComplex();
  return [...seen.values()];
}

function intersectSets(a: FieldSet, b: FieldSet): FieldSet | undefined {
  if (a.kind === 'bits' && b.kind === 'bits') {
    const alts: Ternary[] = [];
    for (const x of a.alts) {
      for (const y of b.alts) {
        const t = intersectTernary(x, y);
        if (t) alts.push(t);
      }
    }
    return alts.length === 0 ? undefined : { kind: 'bits', width: a.width, alts: dedupe(alts) };
  }
  if (a.kind === 'str' && b.kind === 'str') {
    const not = new Set([...a.not, ...b.not]);
    let only: Set<string> | undefined;
    if (a.only && b.only) only = new Set([...a.only].filter((s) => b.only?.has(s)));
    else if (a.only ?? b.only) only = new Set(a.only ?? b.only);
    if (only) {
      for (const s of not) only.delete(s);
      if (only.size === 0) return undefined;
      return { kind: 'str', only, not: new Set() };
    }
    return { kind: 'str', not };
  }
  throw new TooComplex();
}

function andConj(a: Conjunction, b: Conjunction, conflicts: Set<string>): Conjunction | undefined {
  const out = new Map(a);
  for (const [name, set] of b) {
    const prev = out.get(name);
    if (!prev) {
      out.set(name, set);
      continue;
    }
    const both = intersectSets(prev, set);
    if (!both) {
      conflicts.add(name);
      return undefined;
    }
    out.set(name, both);
  }
  return out;
}

type Dnf = Conjunction[];

function and(a: Dnf, b: Dnf, conflicts: Set<string>): Dnf {
  if (a.length * b.length > MAX_CONJUNCTIONS * 4) throw new TooComplex();
  const out: Conjunction[] = [];
  for (const x of a) {
    for (const y of b) {
      const c = andConj(x, y, conflicts);
      if (c) out.push(c);
    }
  }
  if (out.length > MAX_CONJUNCTIONS) throw new TooComplex();
  return out;
}

function or(a: Dnf, b: Dnf): Dnf {
  // Keep `ip4 || ip6` and `tcp.dst == {80, 443}`-like disjunctions on one field as one conjunction.
  const ex = a.length === 1 && a[0]?.size === 1 ? [...a[0]][0] : undefined;
  const ey = b.length === 1 && b[0]?.size === 1 ? [...b[0]][0] : undefined;
  if (ex && ey) {
    const [nx, sx] = ex;
    const [ny, sy] = ey;
    if (nx === ny && sx.kind === 'bits' && sy.kind === 'bits') {
      return [new Map([[nx, { kind: 'bits', width: sx.width, alts: dedupe([...sx.alts, ...sy.alts]) }]])];
    }
  }
  const out = [...a, ...b];
  if (out.length > MAX_CONJUNCTIONS) throw new TooComplex();
  return out;
}

const TRUE: Dnf = [new Map()];
const FALSE: Dnf = [];

/** The base field under a (sub)field, with the bit offset of the subfield in it. */
function rootOf(f: FieldInfo): { root: FieldInfo; offset: number } {
  let root = f;
  let offset = 0;
  while (root.parent) {
    offset += root.parent.low;
    const p = lookupField(root.parent.name);
    if (!p) throw new TooComplex();
    root = p;
  }
  return { root, offset };
}

/** Prefix patterns covering the integers lo..hi of an n-bit field (how OVN expands `<`, `>=`, …). */
function rangeTernaries(lo: bigint, hi: bigint, n: number): Ternary[] {
  const out: Ternary[] = [];
  const all = ones(n);
  while (lo <= hi) {
    let k = 0;
    while (k < n && (lo & ((1n << BigInt(k + 1)) - 1n)) === 0n && lo + (1n << BigInt(k + 1)) - 1n <= hi) k++;
    out.push({ value: lo, mask: all ^ ones(k) });
    lo += 1n << BigInt(k);
  }
  return out;
}

/** Patterns for everything but `t` (one per constrained bit, as OVN's `!=` expansion). */
function complement(t: Ternary): Ternary[] {
  const out: Ternary[] = [];
  for (let bit = 0n; t.mask >> bit !== 0n; bit++) {
    const b = 1n << bit;
    if ((t.mask & b) !== 0n) out.push({ value: (t.value & b) ^ b, mask: b });
  }
  return out;
}

interface Env {
  readonly context: MatchContext | undefined;
  readonly conflicts: Set<string>;
}

const expansionCache = new Map<string, MatchAst>();

function parsedExpansion(text: string): MatchAst {
  let ast = expansionCache.get(text);
  if (!ast) {
    ast = parseMatchSyntax(text).ast;
    if (!ast) throw new TooComplex();
    expansionCache.set(text, ast);
  }
  return ast;
}

function prerequisites(f: FieldInfo, env: Env): Dnf {
  return f.prerequisite === undefined ? TRUE : walk(parsedExpansion(f.prerequisite), false, env);
}

function single(name: string, set: FieldSet): Dnf {
  return [new Map([[name, set]])];
}

/** `field[low..high] OP value` over the field's bits, as patterns on its base field. */
function bitsAtom(
  f: FieldInfo,
  low: number,
  high: number,
  op: RelOp,
  value: bigint,
  mask: bigint | undefined,
  negated: boolean,
): Dnf {
  const { root, offset } = rootOf(f);
  const n = high - low + 1;
  const shift = BigInt(offset + low);
  const v = value & ones(n);
  const m = (mask ?? ones(n)) & ones(n);
  let real: RelOp = op;
  if (negated) real = ({ '==': '!=', '!=': '==', '<': '>=', '<=': '>', '>': '<=', '>=': '<' } as const)[op];
  let local: Ternary[];
  switch (real) {
    case '==':
      local = [{ value: v & m, mask: m }];
      break;
    case '!=':
      local = complement({ value: v & m, mask: m });
      break;
    case '<':
      local = v === 0n ? [] : rangeTernaries(0n, v - 1n, n);
      break;
    case '<=':
      local = rangeTernaries(0n, v, n);
      break;
    case '>':
      local = v >= ones(n) ? [] : rangeTernaries(v + 1n, ones(n), n);
      break;
    case '>=':
      local = rangeTernaries(v, ones(n), n);
      break;
  }
  if (local.length === 0) return FALSE;
  const alts = local.map((t) => ({ value: t.value << shift, mask: t.mask << shift }));
  return single(root.name, { kind: 'bits', width: root.width, alts: dedupe(alts) });
}

type Value = { kind: 'int'; value: bigint; mask?: bigint } | { kind: 'str'; value: string };

function resolveValues(node: Extract<MatchAst, { kind: 'cmp' }>, env: Env): Value[] {
  const out: Value[] = [];
  for (const item of node.values.items) {
    switch (item.kind) {
      case 'integer':
        out.push(
          item.mask === undefined
            ? { kind: 'int', value: item.value }
            : { kind: 'int', value: item.value, mask: item.mask },
        );
        break;
      case 'string':
        out.push({ kind: 'str', value: item.value });
        break;
      case 'addressSet': {
        const entries = env.context?.addressSets?.get(item.name);
        if (!entries) throw new TooComplex();
        for (const v of addressSetValues(entries)) {
          out.push(
            v.mask === undefined ? { kind: 'int', value: v.value } : { kind: 'int', value: v.value, mask: v.mask },
          );
        }
        break;
      }
      case 'portGroup': {
        const members = env.context?.portGroups?.get(item.name);
        if (!members) throw new TooComplex();
        const here = env.context?.datapathPorts;
        for (const m of members) if (!here || here.has(m)) out.push({ kind: 'str', value: m });
        break;
      }
    }
  }
  return out;
}

// One Set per port group (per member list), so that matches naming the same group share it and comparing two
// of them is an identity check rather than a walk over every member.
const groupSets = new WeakMap<readonly string[], ReadonlySet<string>>();

function stringSet(node: Extract<MatchAst, { kind: 'cmp' }>, values: readonly Value[], env: Env): ReadonlySet<string> {
  const [only] = node.values.items;
  const members =
    only?.kind === 'portGroup' && node.values.items.length === 1 ? env.context?.portGroups?.get(only.name) : undefined;
  if (members && !env.context?.datapathPorts) {
    let set = groupSets.get(members);
    if (!set) {
      set = new Set(members);
      groupSets.set(members, set);
    }
    return set;
  }
  return new Set(values.flatMap((v) => (v.kind === 'str' ? [v.value] : [])));
}

function cmp(node: Extract<MatchAst, { kind: 'cmp' }>, negated: boolean, env: Env): Dnf {
  const f = node.field.field;
  const values = resolveValues(node, env);
  // `==` over a set is an OR of equalities and `!=` an AND of inequalities; negation swaps the two.
  const positiveOp = (node.op === '==') !== negated;
  const isSetOp = node.op === '==' || node.op === '!=';
  let body: Dnf;
  if (f.kind === 'predicate') {
    const expansion = parsedExpansion(f.expansion ?? '1');
    const atoms = values.map((v) =>
      walk(expansion, !((v.kind === 'int' && (v.value & 1n) === 1n) === positiveOp), env),
    );
    body = positiveOp
      ? atoms.reduce((acc, d) => or(acc, d), FALSE)
      : atoms.reduce((acc, d) => and(acc, d, env.conflicts), TRUE);
    return body;
  }
  if (f.width === 0) {
    const names = stringSet(node, values, env);
    body = single(f.name, positiveOp ? { kind: 'str', only: names, not: new Set() } : { kind: 'str', not: names });
    if (positiveOp && names.size === 0) body = FALSE;
  } else if (isSetOp) {
    const atoms = values.map((v) =>
      v.kind === 'int' ? bitsAtom(f, node.field.low, node.field.high, '==', v.value, v.mask, !positiveOp) : FALSE,
    );
    body = positiveOp
      ? atoms.reduce((acc, d) => or(acc, d), FALSE)
      : atoms.reduce((acc, d) => and(acc, d, env.conflicts), TRUE);
  } else {
    // OVN ANDs a relational test over every value of a `$set` (make_cmp); negation turns that into an OR.
    const atoms = values.map((v) => {
      if (v.kind !== 'int') throw new TooComplex();
      return bitsAtom(f, node.field.low, node.field.high, node.op, v.value, v.mask, negated);
    });
    body = negated
      ? atoms.reduce((acc, d) => or(acc, d), FALSE)
      : atoms.reduce((acc, d) => and(acc, d, env.conflicts), TRUE);
  }
  return and(body, prerequisites(f, env), env.conflicts);
}

function walk(node: MatchAst, negated: boolean, env: Env): Dnf {
  switch (node.kind) {
    case 'bool':
      return node.value !== negated ? TRUE : FALSE;
    case 'and':
    case 'or': {
      const isAnd = (node.kind === 'and') !== negated;
      const parts = node.operands.map((o) => walk(o, negated, env));
      return isAnd
        ? parts.reduce((acc, d) => and(acc, d, env.conflicts), TRUE)
        : parts.reduce((acc, d) => or(acc, d), FALSE);
    }
    case 'not':
      return walk(node.operand, !negated, env);
    case 'test': {
      const f = node.field.field;
      if (f.kind === 'predicate') return walk(parsedExpansion(f.expansion ?? '1'), negated, env);
      return and(
        bitsAtom(f, node.field.low, node.field.high, '!=', 0n, undefined, negated),
        prerequisites(f, env),
        env.conflicts,
      );
    }
    case 'cmp':
      return cmp(node, negated, env);
    case 'chassisResident':
      throw new TooComplex();
  }
}

/** The packet space of a parsed match, or undefined when it cannot be represented exactly. */
export function matchSpace(ast: MatchAst, context?: MatchContext): MatchSpace | undefined {
  const env: Env = { context, conflicts: new Set() };
  try {
    return { conjunctions: walk(ast, false, env), conflicts: env.conflicts };
  } catch (e) {
    if (e instanceof TooComplex) return undefined;
    throw e;
  }
}

function setCovers(outer: FieldSet, inner: FieldSet): boolean {
  if (outer === inner) return true;
  if (outer.kind === 'bits' && inner.kind === 'bits') {
    return inner.alts.every((t) => outer.alts.some((o) => ternaryCovers(o, t)));
  }
  if (outer.kind === 'str' && inner.kind === 'str') {
    if (inner.only) {
      return [...inner.only].every((s) => !outer.not.has(s) && (!outer.only || outer.only.has(s)));
    }
    return !outer.only && [...outer.not].every((s) => inner.not.has(s));
  }
  return false;
}

function conjCovers(outer: Conjunction, inner: Conjunction): boolean {
  // Bit patterns first: they are cheap and usually decide; string sets (port groups) can be long.
  const fields = [...outer].sort(([, x], [, y]) => (x.kind === y.kind ? 0 : x.kind === 'bits' ? -1 : 1));
  for (const [name, set] of fields) {
    const mine = inner.get(name);
    if (!mine) {
      if (set.kind === 'bits' && set.alts.some((t) => t.mask === 0n)) continue;
      return false;
    }
    if (!setCovers(set, mine)) return false;
  }
  return true;
}

/** Every packet `inner` accepts is accepted by `outer` (proved conjunction by conjunction; false if unsure). */
export function spaceCovers(outer: MatchSpace, inner: MatchSpace): boolean {
  return inner.conjunctions.every((b) => outer.conjunctions.some((a) => conjCovers(a, b)));
}

/** Some packet is provably accepted by both (false when unsure). */
export function spacesOverlap(a: MatchSpace, b: MatchSpace): boolean {
  const scratch = new Set<string>();
  for (const x of a.conjunctions) {
    for (const y of b.conjunctions) {
      try {
        if (andConj(x, y, scratch)) return true;
      } catch (e) {
        if (!(e instanceof TooComplex)) throw e;
      }
    }
  }
  return false;
}
