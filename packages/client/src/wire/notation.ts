/**
 * RFC 7047 wire notation (§5.1): the JSON shapes of atoms, sets, maps, rows, conditions and mutations
 * exactly as they travel. Everything that leaves or enters a socket is one of these.
 */
import type { Json, JsonObject } from './json.js';

export type WireUuid = ['uuid', string];
export type WireNamedUuid = ['named-uuid', string];
export type WireAtom = number | bigint | boolean | string | WireUuid | WireNamedUuid;
export type WireSet = ['set', WireAtom[]];
export type WireMap = ['map', [WireAtom, WireAtom][]];
/** A column value: a bare atom is also how a one-element set travels. */
export type WireDatum = WireAtom | WireSet | WireMap;
export type WireRow = Record<string, WireDatum>;

export type ConditionFunction = '<' | '<=' | '==' | '!=' | '>=' | '>' | 'includes' | 'excludes';
export const CONDITION_FUNCTIONS: readonly ConditionFunction[] = [
  '<',
  '<=',
  '==',
  '!=',
  '>=',
  '>',
  'includes',
  'excludes',
];
/** A clause `[column, function, value]`; `true`/`false` are the boolean constants ovsdb-server accepts. */
export type WireCondition = [string, ConditionFunction, WireDatum] | boolean;

export type Mutator = '+=' | '-=' | '*=' | '/=' | '%=' | 'insert' | 'delete';
export const MUTATORS: readonly Mutator[] = ['+=', '-=', '*=', '/=', '%=', 'insert', 'delete'];
export type WireMutation = [string, Mutator, WireDatum];

export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
/** RFC 7047 `<id>`: the form a uuid-name must take. */
export const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export function isWireUuid(v: Json): v is WireUuid {
  return Array.isArray(v) && v.length === 2 && v[0] === 'uuid' && typeof v[1] === 'string';
}
export function isWireNamedUuid(v: Json): v is WireNamedUuid {
  return Array.isArray(v) && v.length === 2 && v[0] === 'named-uuid' && typeof v[1] === 'string';
}
export function isJsonObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
