// The match parser. It follows lib/expr.c of OVN 23.03 step for step (expr_parse__, expr_parse_not,
// expr_parse_primary, parse_field, parse_constant_set, make_cmp) because OVN stops at the first error and
// which error comes first depends on that order; the differential test (oracle.ovsdb.test.ts) holds us to it.
//
// Two habits of OVN's lexer shape the error reporting here:
// - an error token is reported only when the parser trips over it, and then its own message wins over the
//   parser's (lexer_error_handle_common), so `tcp.dst == 99999 &` reports the stray `&`, not the width;
// - only the first error counts.
import type {
  AddressSetRef,
  Constant,
  FieldRef,
  IntegerConstant,
  MatchAst,
  PortGroupRef,
  RelOp,
  Span,
  StringConstant,
  ValueSet,
} from './ast.js';
import type { MatchContext } from './context.js';
import { bitWidth, scan, type LexToken, type LexType, type NumberFormat } from './scanner.js';
import { lookupField } from './symbols.js';

export interface MatchDiagnostic {
  readonly message: string;
  /** 0-based offset into the match text of the offending spot. */
  readonly column: number;
  /** End of the offending text (exclusive), when it is more than a point. */
  readonly end?: number;
  /** Stable identifier of the kind of problem, for tests and UIs. */
  readonly code: string;
  /** Our explanation, where OVN's own message (kept verbatim in `message`) does not say enough. */
  readonly detail?: string;
}

export interface ParseOutcome {
  readonly ast?: MatchAst;
  readonly error?: MatchDiagnostic;
}

const MAX_PAREN_DEPTH = 100;
const INT_MAX = 2n ** 31n - 1n;
const RELOPS = new Set<LexType>(['==', '!=', '<', '<=', '>', '>=']);
const isRelop = (t: LexType): t is RelOp => RELOPS.has(t);

/** `a OP field` read as `field OP' a`. */
function turn(op: RelOp): RelOp {
  switch (op) {
    case '<':
      return '>';
    case '<=':
      return '>=';
    case '>':
      return '<';
    case '>=':
      return '<=';
    default:
      return op;
  }
}

/** One value of a constant set after `$set`/`@group` expansion, as make_cmp() sees it. */
type SetValue =
  | {
      readonly kind: 'int';
      readonly width: number;
      readonly masked: boolean;
      readonly value: bigint;
      readonly format: NumberFormat;
      readonly span: Span;
    }
  | { readonly kind: 'str'; readonly span: Span }
  /** A `$set`/`@group` whose contents are not known (no context): assumed non-empty, width unknown. */
  | { readonly kind: 'unknown'; readonly span: Span };

interface ConstSet {
  type: 'integer' | 'string';
  values: SetValue[];
  braces: boolean;
  items: Constant[];
  span: Span;
}

/** The width OVN gives a constant when comparing it with a field (expr_constant_width). */
export function constantWidth(format: NumberFormat, value: bigint, mask: bigint | undefined): number {
  if (mask !== undefined) return bitWidth(mask);
  switch (format) {
    case 'decimal':
    case 'hexadecimal':
      return bitWidth(value);
    case 'ipv4':
      return 32;
    case 'ipv6':
      return 128;
    case 'ethernet':
      return 48;
  }
}

export interface SetEntry {
  readonly format: NumberFormat;
  readonly value: bigint;
  readonly mask?: bigint;
}

// Large address sets are referenced by many ACLs; their entries are lexed once per array, not once per match.
const entryCache = new WeakMap<readonly string[], readonly SetEntry[]>();

/**
 * Address-set contents as OVN loads them (expr_const_sets_add): each entry is run through the lexer and its
 * first token kept if it is a number; anything else is dropped with a log line nobody reads.
 */
export function addressSetValues(entries: readonly string[]): readonly SetEntry[] {
  const hit = entryCache.get(entries);
  if (hit) return hit;
  const out: SetEntry[] = [];
  for (const entry of entries) {
    const first = scan(entry).find((t) => t.type !== 'comment');
    if (!first || (first.type !== 'integer' && first.type !== 'masked')) continue;
    if (first.value === undefined || first.format === undefined) continue;
    out.push(
      first.mask === undefined
        ? { format: first.format, value: first.value }
        : { format: first.format, value: first.value, mask: first.mask },
    );
  }
  entryCache.set(entries, out);
  return out;
}

class Parser {
  private readonly toks: LexToken[];
  private i = 0;
  private not = false;
  private depth = 0;
  error: MatchDiagnostic | undefined;
  private readonly setCache = new Map<string, SetValue[]>();

  constructor(
    private readonly text: string,
    private readonly context: MatchContext | undefined,
  ) {
    this.toks = scan(text).filter((t) => t.type !== 'comment');
  }

  private cur(): LexToken {
    const t = this.toks[this.i] ?? this.toks[this.toks.length - 1];
    if (t === undefined) throw new Error('scanner returned no tokens');
    return t;
  }

  private get(): void {
    if (this.i < this.toks.length - 1) this.i++;
  }

  private lookahead(): LexType {
    return (this.toks[this.i + 1] ?? this.cur()).type;
  }

  private match(type: LexType): boolean {
    if (this.cur().type !== type) return false;
    this.get();
    return true;
  }

  private raw(t: LexToken): string {
    return this.text.slice(t.start, t.end);
  }

  /** lexer_error_handle_common(): true when the error is already decided. */
  private errorAlreadyDecided(): boolean {
    if (this.error) return true;
    const t = this.cur();
    if (t.type !== 'error') return false;
    const at = t.errorStart ?? t.start;
    this.error = { message: t.s ?? 'lexical error', column: at, end: t.errorEnd ?? t.end, code: 'lexical' };
    return true;
  }

  /** lexer_error(): a plain message, pinned to `span` (OVN gives no position). */
  private fail(message: string, span: Span, code: string, detail?: string): undefined {
    if (this.errorAlreadyDecided()) return undefined;
    const d: MatchDiagnostic = { message, column: span.start, end: span.end, code };
    this.error = detail === undefined ? d : { ...d, detail };
    return undefined;
  }

  /** lexer_syntax_error(): "Syntax error at `TOKEN' expecting ...". */
  private syntax(expecting: string, code = 'syntax', detail?: string): undefined {
    if (this.errorAlreadyDecided()) return undefined;
    const t = this.cur();
    const where = t.type === 'end' ? ' at end of input' : ` at \`${this.raw(t)}'`;
    const d: MatchDiagnostic = {
      message: `Syntax error${where} expecting ${expecting}.`,
      column: t.start,
      end: t.type === 'end' ? this.text.length : t.end,
      code,
    };
    this.error = detail === undefined ? d : { ...d, detail };
    return undefined;
  }

  private forceMatch(type: LexType): boolean {
    if (this.match(type)) return true;
    this.syntax(type === 'end' ? 'end of input' : `\`${type}'`);
    return false;
  }

  private forceInt(): number | undefined {
    const t = this.cur();
    if (t.type === 'integer' && t.format === 'decimal' && t.value !== undefined && t.value <= INT_MAX) {
      this.get();
      return Number(t.value);
    }
    this.syntax('small integer');
    return undefined;
  }

  parse(): MatchAst | undefined {
    const ast = this.expr();
    this.forceMatch('end');
    return this.error ? undefined : ast;
  }

  /** expr_parse__(): a chain of `&&` or of `||`, never both. */
  private expr(): MatchAst | undefined {
    const first = this.not_();
    if (!first) return undefined;
    const t = this.cur().type;
    if (t !== '&&' && t !== '||') return first;
    this.get();
    const operands: MatchAst[] = [first];
    do {
      const next = this.not_();
      if (!next) return undefined;
      operands.push(next);
    } while (this.match(t));
    const after = this.cur();
    if (after.type === '&&' || after.type === '||') {
      this.fail('&& and || must be parenthesized when used together.', after, 'mixed-and-or');
      return;
    }
    const last = operands[operands.length - 1] ?? first;
    return { kind: t === '&&' ? 'and' : 'or', operands, start: first.start, end: last.end };
  }

  /** expr_parse_not(). */
  private not_(): MatchAst | undefined {
    const bang = this.cur();
    if (!this.match('!')) return this.primary()?.node;
    this.not = !this.not;
    const r = this.primary();
    this.not = !this.not;
    if (!r) return undefined;
    if (!r.atomic) {
      this.fail(
        'Missing parentheses around operand of !.',
        { start: bang.start, end: r.node.end },
        'not-needs-parentheses',
      );
      return;
    }
    return { kind: 'not', operand: r.node, start: bang.start, end: r.node.end };
  }

  /** expr_parse_primary(). */
  private primary(): { node: MatchAst; atomic: boolean } | undefined {
    const t = this.cur();
    if (this.match('(')) {
      if (this.depth >= MAX_PAREN_DEPTH) {
        this.fail('Parentheses nested too deeply.', t, 'nesting-too-deep');
        return;
      }
      this.depth++;
      const e = this.expr();
      this.depth--;
      if (!this.forceMatch(')') || !e) return undefined;
      return { node: e, atomic: true };
    }

    if (t.type === 'id') {
      if (this.lookahead() === '(') {
        if (t.s === 'is_chassis_resident') {
          this.get();
          this.get();
          const node = this.chassisResident(t);
          return node ? { node, atomic: true } : undefined;
        }
        this.fail(
          'parsing function name',
          t,
          'unknown-function',
          `${t.s ?? ''} is not a function; the only one is is_chassis_resident.`,
        );
        return;
      }
      const f = this.field();
      if (!f) return undefined;
      const op = this.cur();
      if (!isRelop(op.type)) {
        const nBits = f.high - f.low + 1;
        if (f.field.width === 0 || op.type === '=') {
          const detail = op.type === '=' ? 'Use `==` to compare; `=` is assignment (actions only).' : undefined;
          this.syntax('relational operator', 'syntax', detail);
          return;
        }
        if (nBits > 1 && !this.not) {
          this.fail(
            "Explicit `!= 0' is required for inequality test of multibit field against 0.",
            f,
            'bare-multibit-field',
          );
          return;
        }
        const zero: SetValue = { kind: 'int', width: 0, masked: false, value: 0n, format: 'hexadecimal', span: f };
        const implicit: ConstSet = { type: 'integer', values: [zero], braces: false, items: [], span: f };
        if (!this.makeCmp(f, '!=', implicit, f)) return undefined;
        return { node: { kind: 'test', field: f, start: f.start, end: f.end }, atomic: true };
      }
      this.get();
      const cs = this.constantSet();
      if (!cs || !this.makeCmp(f, op.type, cs, op)) return undefined;
      const values: ValueSet = { braces: cs.braces, items: cs.items, start: cs.span.start, end: cs.span.end };
      return {
        node: {
          kind: 'cmp',
          field: f,
          op: op.type,
          opSpan: op,
          values,
          constantFirst: false,
          start: f.start,
          end: cs.span.end,
        },
        atomic: false,
      };
    }

    const c1 = this.constantSet();
    if (!c1) return undefined;
    const only = c1.values[0];
    if (
      !isRelop(this.cur().type) &&
      c1.values.length === 1 &&
      c1.type === 'integer' &&
      only?.kind === 'int' &&
      only.format === 'decimal' &&
      !only.masked &&
      !c1.braces &&
      only.value <= 1n
    ) {
      return { node: { kind: 'bool', value: only.value === 1n, start: c1.span.start, end: c1.span.end }, atomic: true };
    }
    const r1 = this.cur();
    if (!isRelop(r1.type)) {
      this.syntax('relational operator');
      return;
    }
    this.get();
    const f = this.field();
    if (!f) return undefined;
    const v1: ValueSet = { braces: c1.braces, items: c1.items, start: c1.span.start, end: c1.span.end };
    const r2 = this.cur();
    if (!isRelop(r2.type)) {
      if (!this.makeCmp(f, turn(r1.type), c1, r1)) return undefined;
      return {
        node: {
          kind: 'cmp',
          field: f,
          op: turn(r1.type),
          opSpan: r1,
          values: v1,
          constantFirst: true,
          start: c1.span.start,
          end: f.end,
        },
        atomic: false,
      };
    }
    this.get();
    const c2 = this.constantSet();
    if (!c2) return undefined;
    const down = (o: RelOp): boolean => o === '<' || o === '<=';
    const up = (o: RelOp): boolean => o === '>' || o === '>=';
    if (!((down(r1.type) && down(r2.type)) || (up(r1.type) && up(r2.type)))) {
      this.fail(
        "Range expressions must have the form `x < field < y' or `x > field > y', with each `<' optionally " +
          "replaced by `<=' or `>' by `>=').",
        r2,
        'bad-range',
      );
      return;
    }
    this.makeCmp(f, turn(r1.type), c1, r1);
    this.makeCmp(f, r2.type, c2, r2);
    if (this.error) return undefined;
    const v2: ValueSet = { braces: c2.braces, items: c2.items, start: c2.span.start, end: c2.span.end };
    const low: MatchAst = {
      kind: 'cmp',
      field: f,
      op: turn(r1.type),
      opSpan: r1,
      values: v1,
      constantFirst: true,
      start: c1.span.start,
      end: f.end,
    };
    const high: MatchAst = {
      kind: 'cmp',
      field: f,
      op: r2.type,
      opSpan: r2,
      values: v2,
      constantFirst: false,
      start: f.start,
      end: c2.span.end,
    };
    return {
      node: { kind: 'and', operands: [low, high], range: true, start: c1.span.start, end: c2.span.end },
      atomic: false,
    };
  }

  private chassisResident(name: LexToken): MatchAst | undefined {
    const t = this.cur();
    if (t.type !== 'string') {
      this.syntax('string');
      return;
    }
    this.get();
    const close = this.cur();
    if (!this.forceMatch(')')) return undefined;
    return { kind: 'chassisResident', port: t.s ?? '', portSpan: t, start: name.start, end: close.end };
  }

  /** parse_field(). */
  private field(): FieldRef | undefined {
    const t = this.cur();
    if (t.type !== 'id') {
      this.syntax('field name');
      return;
    }
    const info = lookupField(t.s ?? '');
    if (!info) {
      this.syntax('field name', 'unknown-field');
      return;
    }
    this.get();
    let low = 0;
    let high = info.width - 1;
    let sliced = false;
    let end = t.end;
    const open = this.cur();
    if (this.match('[')) {
      if (info.width === 0) {
        this.fail(`Cannot select subfield of string field ${info.name}.`, open, 'subfield-of-string');
        return;
      }
      const lo = this.forceInt();
      if (lo === undefined) return undefined;
      let hi = lo;
      if (this.match('..')) {
        const h = this.forceInt();
        if (h === undefined) return undefined;
        hi = h;
      }
      const close = this.cur();
      if (!this.forceMatch(']')) return undefined;
      const bracket = { start: open.start, end: close.end };
      if (lo > hi) {
        this.fail(`Invalid bit range ${lo} to ${hi}.`, bracket, 'invalid-bit-range');
        return;
      }
      if (hi >= info.width) {
        this.fail(
          `Cannot select bits ${lo} to ${hi} of ${info.width}-bit field ${info.name}.`,
          bracket,
          'bit-range-too-wide',
        );
        return;
      }
      if (info.level === 'nominal' && (lo !== 0 || hi !== info.width - 1)) {
        this.fail(`Cannot select subfield of nominal field ${info.name}.`, bracket, 'subfield-of-nominal');
        return;
      }
      low = lo;
      high = hi;
      sliced = true;
      end = close.end;
    }
    return { name: info.name, field: info, low, high, sliced, start: t.start, end };
  }

  /** parse_constant_set(). */
  private constantSet(): ConstSet | undefined {
    const open = this.cur();
    const cs: ConstSet = { type: 'integer', values: [], braces: false, items: [], span: open };
    if (this.match('{')) {
      cs.braces = true;
      do {
        if (!this.constant(cs)) return undefined;
        this.match(',');
      } while (!this.matchClose(cs, open));
      return cs;
    }
    if (!this.constant(cs)) return undefined;
    return cs;
  }

  private matchClose(cs: ConstSet, open: LexToken): boolean {
    const t = this.cur();
    if (!this.match('}')) return false;
    cs.span = { start: open.start, end: t.end };
    return true;
  }

  /** assign_constant_set_type(). */
  private assignType(cs: ConstSet, type: 'integer' | 'string'): boolean {
    if (cs.values.length === 0 || cs.type === type) {
      cs.type = type;
      return true;
    }
    this.syntax(cs.type);
    return false;
  }

  /** parse_constant(). */
  private constant(cs: ConstSet): boolean {
    const t = this.cur();
    const extend = (): void => {
      if (!cs.braces) cs.span = t;
    };
    switch (t.type) {
      case 'string': {
        if (!this.assignType(cs, 'string')) return false;
        const item: StringConstant = {
          kind: 'string',
          text: this.raw(t),
          value: t.s ?? '',
          start: t.start,
          end: t.end,
        };
        cs.items.push(item);
        cs.values.push({ kind: 'str', span: t });
        this.get();
        extend();
        return true;
      }
      case 'integer':
      case 'masked': {
        if (!this.assignType(cs, 'integer')) return false;
        const value = t.value ?? 0n;
        const format = t.format ?? 'decimal';
        const base = {
          kind: 'integer',
          text: this.raw(t),
          format,
          value,
          hostBits: t.hostBits ?? false,
          start: t.start,
          end: t.end,
        } as const;
        const item: IntegerConstant = t.mask === undefined ? base : { ...base, mask: t.mask };
        cs.items.push(item);
        const width = constantWidth(format, value, t.mask);
        cs.values.push({ kind: 'int', width, masked: t.mask !== undefined, value, format, span: t });
        this.get();
        extend();
        return true;
      }
      case 'macro': {
        const name = t.s ?? '';
        const values = this.addressSet(name, t);
        if (!values) {
          this.syntax('address set name', 'unknown-address-set', `There is no address set named ${name}.`);
          return false;
        }
        if (!this.assignType(cs, 'integer')) return false;
        const item: AddressSetRef = { kind: 'addressSet', name, start: t.start, end: t.end };
        cs.items.push(item);
        cs.values.push(...values);
        this.get();
        extend();
        return true;
      }
      case 'portGroup': {
        const name = t.s ?? '';
        const resolved = this.portGroup(name, t);
        if (!resolved.values) {
          this.syntax('port group name', resolved.code, resolved.detail);
          return false;
        }
        if (!this.assignType(cs, 'string')) return false;
        const item: PortGroupRef = { kind: 'portGroup', name, start: t.start, end: t.end };
        cs.items.push(item);
        cs.values.push(...resolved.values);
        this.get();
        extend();
        return true;
      }
      default:
        this.syntax('constant');
        return false;
    }
  }

  private addressSet(name: string, span: Span): SetValue[] | undefined {
    const sets = this.context?.addressSets;
    if (!sets) return [{ kind: 'unknown', span }];
    const cached = this.setCache.get(name);
    if (cached) return cached.map((v) => ({ ...v, span }));
    const entries = sets.get(name);
    if (!entries) return undefined;
    const values: SetValue[] = addressSetValues(entries).map((v) => ({
      kind: 'int',
      width: constantWidth(v.format, v.value, v.mask),
      masked: v.mask !== undefined,
      value: v.value,
      format: v.format,
      span,
    }));
    this.setCache.set(name, values);
    return values;
  }

  private portGroup(name: string, span: Span): { values?: SetValue[]; code: string; detail?: string } {
    const groups = this.context?.portGroups;
    if (!groups) return { values: [{ kind: 'unknown', span }], code: 'unknown-port-group' };
    const members = groups.get(name);
    if (!members) return { code: 'unknown-port-group', detail: `There is no port group named ${name}.` };
    const onDatapath = this.context.datapathPorts;
    if (onDatapath) {
      const here = members.filter((p) => onDatapath.has(p));
      if (here.length === 0) {
        return {
          code: 'port-group-not-on-datapath',
          detail:
            `Port group ${name} has no ports on this logical switch; ovn-controller cannot resolve @${name} here, ` +
            'so it skips the whole flow until the group gains a port on the switch.',
        };
      }
      return { values: here.map(() => ({ kind: 'str', span })), code: '' };
    }
    return { values: members.map(() => ({ kind: 'str', span })), code: '' };
  }

  /** make_cmp(): the type and level checks, in OVN's order. */
  private makeCmp(f: FieldRef, op: RelOp, cs: ConstSet, opSpan: Span): boolean {
    const sym = f.field;
    const isInt = sym.width > 0;
    if (cs.type !== (isInt ? 'integer' : 'string')) {
      this.fail(
        `${isInt ? 'Integer' : 'String'} field ${sym.name} is not compatible with ${cs.type} constant.`,
        cs.span,
        'type-mismatch',
      );
      return false;
    }
    if (isInt) {
      for (const v of cs.values) {
        if (v.kind === 'int' && v.width > sym.width) {
          this.fail(
            `${v.width}-bit constant is not compatible with ${sym.width}-bit field ${sym.name}.`,
            v.span,
            'constant-too-wide',
          );
          return false;
        }
      }
    }
    if (op !== '==' && op !== '!=') {
      if (cs.braces) {
        this.fail('Only == and != operators may be used with value sets.', opSpan, 'relational-on-set');
        return false;
      }
      if (sym.level !== 'ordinal') {
        const level = sym.level === 'boolean' ? 'Boolean' : 'nominal';
        this.fail(
          `Only == and != operators may be used with ${level} field ${sym.name}.`,
          opSpan,
          'relational-on-nominal',
        );
        return false;
      }
      if (cs.values.length === 0) {
        this.fail(
          'Only == and != operators may be used to compare a field against an empty value set.',
          cs.span,
          'relational-on-empty-set',
        );
        return false;
      }
      const first = cs.values[0];
      if (first?.kind === 'int' && first.masked) {
        this.fail(
          'Only == and != operators may be used with masked constants.  Consider using subfields instead ' +
            '(e.g. eth.src[0..15] > 0x1111 in place of eth.src > 00:00:00:00:11:11/00:00:00:00:ff:ff).',
          first.span,
          'relational-on-masked',
        );
        return false;
      }
    }
    if (sym.level === 'nominal') {
      if (sym.kind === 'predicate') {
        for (const v of cs.values) {
          if (v.kind !== 'int') continue;
          const positive = (((v.value & 1n) === 1n) !== (op === '!=')) !== this.not;
          if (!positive) {
            const n = sym.name;
            this.fail(
              `Nominal predicate ${n} may only be tested positively, e.g. \`${n}' or \`${n} == 1' ` +
                `but not \`!${n}' or \`${n} == 0'.`,
              f,
              'nominal-predicate-negated',
            );
            return false;
          }
        }
      } else if (op !== (this.not ? '!=' : '==')) {
        this.fail(
          `Nominal field ${sym.name} may only be tested for equality (taking enclosing \`!' operators into account).`,
          opSpan,
          'nominal-inequality',
        );
        return false;
      }
    }
    return true;
  }
}

/** Parses `text` with OVN's grammar and checks; the AST is returned only when OVN would accept the text. */
export function parseMatchSyntax(text: string, context?: MatchContext): ParseOutcome {
  const p = new Parser(text, context);
  const ast = p.parse();
  if (p.error) return { error: p.error };
  return ast ? { ast } : {};
}
