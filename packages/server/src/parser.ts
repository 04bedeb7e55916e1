/**
 * Member-by-member parsing of a JSON object (an operation, a monitor request), reporting problems the way
 * ovsdb-server does: the first problem wins, it is worded "Parsing <what> failed: <problem>", the whole
 * object is quoted as `syntax`, and members nobody asked for are themselves an error.
 */
import { OvsdbError, isId, type Json, type JsonObject } from '@ovsdb-web/client';
import { hashOrder } from './shash-order.js';
import { sortedJsonText } from './wire.js';

export const OP_NULL = 1;
export const OP_FALSE = 2;
export const OP_TRUE = 4;
export const OP_OBJECT = 8;
export const OP_ARRAY = 16;
export const OP_STRING = 32;
export const OP_INTEGER = 64;
export const OP_REAL = 128;
/** A string that is an RFC 7047 `<id>`. */
export const OP_ID = 256;
export const OP_OPTIONAL = 512;
export const OP_BOOLEAN = OP_FALSE | OP_TRUE;

function typeBit(v: Json): number {
  if (v === null) return OP_NULL;
  switch (typeof v) {
    case 'boolean':
      return v ? OP_TRUE : OP_FALSE;
    case 'string':
      return OP_STRING;
    case 'bigint':
      return OP_INTEGER;
    case 'number':
      return Number.isInteger(v) ? OP_INTEGER : OP_REAL;
    default:
      return Array.isArray(v) ? OP_ARRAY : OP_OBJECT;
  }
}

export class ObjectParser {
  private readonly object: JsonObject | undefined;
  private readonly used = new Set<string>();
  private failure: OvsdbError | undefined;

  constructor(
    json: Json,
    /** Names the object in messages: "ovsdb operation 1 of 3", "table Logical_Switch". */
    private readonly what: string,
  ) {
    this.object = json !== null && typeof json === 'object' && !Array.isArray(json) ? json : undefined;
    if (this.object === undefined) this.raise('Object expected.');
  }

  get json(): JsonObject | undefined {
    return this.object;
  }

  get error(): OvsdbError | undefined {
    return this.failure;
  }

  /** The member if present and of one of `types`; otherwise undefined, recording why when that is an error. */
  member(name: string, types: number): Json | undefined {
    const obj = this.object;
    if (obj === undefined) return undefined;
    if (!Object.hasOwn(obj, name)) {
      if ((types & OP_OPTIONAL) === 0) this.raise(`Required '${name}' member is missing.`);
      return undefined;
    }
    const v = obj[name] as Json;
    if ((types & typeBit(v)) !== 0 || ((types & OP_ID) !== 0 && typeof v === 'string' && isId(v))) {
      this.used.add(name);
      return v;
    }
    this.raise(`Type mismatch for member '${name}'.`);
    return undefined;
  }

  raise(message: string): void {
    if (this.failure !== undefined) return;
    const syntax = this.object === undefined ? undefined : sortedJsonText(this.object);
    this.failure = new OvsdbError('syntax error', `Parsing ${this.what} failed: ${message}`, syntax);
  }

  /** Checks that every member was used; returns the first error found, if any. */
  finish(): OvsdbError | undefined {
    const obj = this.object;
    if (this.failure === undefined && obj !== undefined) {
      const unused = hashOrder(Object.keys(obj)).filter((k) => !this.used.has(k));
      const first = unused[0];
      if (first !== undefined) {
        const n = unused.length;
        this.raise(
          n > 1
            ? `Member '${first}' and ${n - 1} other member${n > 2 ? 's' : ''} are present but not allowed here.`
            : `Member '${first}' is present but not allowed here.`,
        );
      }
    }
    return this.failure;
  }
}
