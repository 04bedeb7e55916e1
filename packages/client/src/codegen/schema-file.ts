/**
 * Reading an `.ovsschema` file, with failures sorted into the three things a user can fix: the path, the
 * JSON, or the schema itself.
 */
import { readFile } from 'node:fs/promises';
import { parseJson, JsonSyntaxError, type Json } from '../wire/json.js';
import { OvsdbError } from '../wire/errors.js';
import { parseDatabaseSchema, type DatabaseSchema } from '../schema/schema.js';

export type SchemaFileProblem = 'unreadable' | 'json' | 'schema';

export class SchemaFileError extends Error {
  override readonly name = 'SchemaFileError';
  constructor(
    readonly path: string,
    readonly problem: SchemaFileProblem,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** 1-based line and column of a character offset, because editors do not jump to offsets. */
function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/**
 * Parse a schema file. Schema JSON goes through `parseJson`, not `JSON.parse`, because integer bounds
 * such as `maxInteger: 9223372036854775807` must survive exactly.
 */
export async function readSchemaFile(path: string): Promise<DatabaseSchema> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = errnoCode(err);
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : err instanceof Error
              ? err.message
              : String(err);
    throw new SchemaFileError(path, 'unreadable', `cannot read schema ${path}: ${why}`, { cause: err });
  }
  let json: Json;
  try {
    json = parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) {
      throw new SchemaFileError(
        path,
        'json',
        `${path} is not valid JSON: ${err.message} (${lineColumn(text, err.position)})`,
        {
          cause: err,
        },
      );
    }
    if (err instanceof SyntaxError)
      throw new SchemaFileError(path, 'json', `${path} is not valid JSON: ${err.message}`, { cause: err });
    throw err;
  }
  try {
    return parseDatabaseSchema(json);
  } catch (err) {
    if (err instanceof OvsdbError) {
      throw new SchemaFileError(path, 'schema', `${path} is not a valid OVSDB schema: ${err.details ?? err.error}`, {
        cause: err,
      });
    }
    throw err;
  }
}
