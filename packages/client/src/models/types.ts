/**
 * The value aliases generated models are written in. They name what `data/value.ts` already does, so a
 * model's `Integer` or `Uuid` column reads as what the schema says rather than as a bare primitive.
 */

/** An OVSDB integer (int64): a `number`, or a `bigint` when outside ±(2^53-1). */
export type Integer = number | bigint;

/** An OVSDB uuid as the lower-case UUID text. */
export type Uuid = string;

export type { NamedUuid } from '../data/value.js';
