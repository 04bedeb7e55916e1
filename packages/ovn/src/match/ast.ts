// The syntax tree of a match expression. It keeps the source shape (which side the constant was written on,
// whether braces were used) and offsets into the text, so editors can point at any part of it.
import type { NumberFormat } from './scanner.js';
import type { FieldInfo } from './symbols.js';

/** A half-open range [start, end) of UTF-16 offsets into the match text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export type RelOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** A field, subfield or predicate, with the bits selected by `[low..high]` (all bits when not sliced). */
export interface FieldRef extends Span {
  readonly name: string;
  readonly field: FieldInfo;
  readonly low: number;
  readonly high: number;
  readonly sliced: boolean;
}

export interface IntegerConstant extends Span {
  readonly kind: 'integer';
  readonly text: string;
  readonly format: NumberFormat;
  /** Already ANDed with the mask, as OVN stores it. */
  readonly value: bigint;
  readonly mask?: bigint;
  /** The written value had 1-bits outside the mask (e.g. 10.0.0.1/8); OVN clears them without a word. */
  readonly hostBits: boolean;
}

export interface StringConstant extends Span {
  readonly kind: 'string';
  readonly text: string;
  readonly value: string;
}

export interface AddressSetRef extends Span {
  readonly kind: 'addressSet';
  readonly name: string;
}

export interface PortGroupRef extends Span {
  readonly kind: 'portGroup';
  readonly name: string;
}

export type Constant = IntegerConstant | StringConstant | AddressSetRef | PortGroupRef;

export interface ValueSet extends Span {
  readonly braces: boolean;
  readonly items: readonly Constant[];
}

export interface BoolNode extends Span {
  readonly kind: 'bool';
  readonly value: boolean;
}

export interface AndNode extends Span {
  readonly kind: 'and';
  readonly operands: readonly MatchAst[];
  /** Written as a chained comparison such as `1024 <= tcp.src <= 49151`. */
  readonly range?: true;
}

export interface OrNode extends Span {
  readonly kind: 'or';
  readonly operands: readonly MatchAst[];
}

export interface NotNode extends Span {
  readonly kind: 'not';
  readonly operand: MatchAst;
}

/** `field OP values`, with `op` turned so the field is on the left even when the constant was written first. */
export interface CmpNode extends Span {
  readonly kind: 'cmp';
  readonly field: FieldRef;
  readonly op: RelOp;
  readonly opSpan: Span;
  readonly values: ValueSet;
  readonly constantFirst: boolean;
}

/** A bare mention of a field or predicate: `ct.new`, `tcp`, or `!tcp.src` (OVN reads it as `!= 0`). */
export interface TestNode extends Span {
  readonly kind: 'test';
  readonly field: FieldRef;
}

export interface ChassisResidentNode extends Span {
  readonly kind: 'chassisResident';
  readonly port: string;
  readonly portSpan: Span;
}

export type MatchAst = BoolNode | AndNode | OrNode | NotNode | CmpNode | TestNode | ChassisResidentNode;
