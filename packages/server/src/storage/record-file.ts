/**
 * The record framing shared by both of ovsdb-server's file formats (ovsdb(5)): each record is a header
 * line `OVSDB JSON <length> <sha1>` (standalone) or `OVSDB CLUSTER <length> <sha1>` (clustered), then
 * exactly <length> bytes of JSON text, the trailing newline included, whose SHA-1 is <sha1> in hex.
 *
 * A crash while ovsdb-server appends leaves the file ending inside a record: in its header line or
 * before <length> bytes of body. That is not corruption, just the end of what was committed to disk, so
 * it is reported as `truncatedAt` and everything before it is kept. Anything else that is wrong (a
 * header that does not parse, a whole record with a bad checksum, JSON that does not parse) is a
 * `DatabaseFileError` naming the record's byte offset.
 */
import { createHash } from 'node:crypto';
import { JsonSyntaxError } from '@ovsdb-web/client';
import { DatabaseFileError } from './errors.js';
import { JsonSlice } from './json-slice.js';

export type FileKind = 'standalone' | 'clustered';

/** A whole record whose checksum is right; its JSON is read when asked for (see `recordJson`). */
export interface FileRecord {
  /** Byte offset of the record's header line. */
  readonly offset: number;
  /** Byte range of its JSON text in the file. */
  readonly start: number;
  readonly end: number;
}

export interface RecordScan {
  readonly kind: FileKind;
  readonly records: FileRecord[];
  /** Where an incomplete last record starts, if the file ends inside one. */
  readonly truncatedAt?: { readonly offset: number; readonly reason: string };
}

const MAGIC: Readonly<Record<string, FileKind>> = { 'OVSDB JSON': 'standalone', 'OVSDB CLUSTER': 'clustered' };
const HEADER = /^(OVSDB (?:JSON|CLUSTER)) (\d{1,15}) ([0-9a-fA-F]{40})$/;
// ovsdb-server's header lines are well under this; a longer line is not a header at all.
const MAX_HEADER = 120;

/** Split a whole file into records, checking each one's length and SHA-1 (not yet its JSON). */
export function scanRecords(path: string, data: Buffer): RecordScan {
  if (data.length === 0) throw new DatabaseFileError(path, 'truncated', 0, 'the file is empty');
  const records: FileRecord[] = [];
  let kind: FileKind | undefined;
  let pos = 0;
  while (pos < data.length) {
    const offset = pos;
    const nl = data.indexOf(0x0a, pos);
    if (nl < 0 || nl - pos > MAX_HEADER) {
      const atEnd = nl < 0 && data.length - pos <= MAX_HEADER && isHeaderPrefix(data.subarray(pos));
      if (atEnd) {
        const reason = 'the file ends inside a record header';
        if (kind === undefined) throw new DatabaseFileError(path, 'truncated', offset, `${reason}, its first`);
        return { kind, records, truncatedAt: { offset, reason } };
      }
      throw headerError(path, offset, kind, data.subarray(pos, Math.min(data.length, pos + 40)));
    }
    const line = data.toString('latin1', pos, nl);
    const m = HEADER.exec(line);
    if (m === null) throw headerError(path, offset, kind, data.subarray(pos, nl));
    const recordKind = MAGIC[m[1] as string] as FileKind;
    if (kind === undefined) kind = recordKind;
    else if (recordKind !== kind) {
      const want = kind === 'standalone' ? 'OVSDB JSON' : 'OVSDB CLUSTER';
      const detail = `a "${m[1] as string}" record in a file of "${want}" records`;
      throw new DatabaseFileError(path, 'bad-header', offset, detail);
    }
    const length = Number(m[2]);
    const start = nl + 1;
    const end = start + length;
    if (end > data.length) {
      const reason = `the file ends ${end - data.length} bytes before the end of this ${length}-byte record`;
      if (records.length === 0) throw new DatabaseFileError(path, 'truncated', offset, `${reason}, its first`);
      return { kind, records, truncatedAt: { offset, reason } };
    }
    const body = data.subarray(start, end);
    const sha1 = createHash('sha1').update(body).digest('hex');
    const expected = (m[3] as string).toLowerCase();
    if (sha1 !== expected) {
      const detail = `SHA-1 of the ${length}-byte record is ${sha1}, its header says ${expected}`;
      throw new DatabaseFileError(path, 'checksum', offset, detail);
    }
    records.push({ offset, start, end });
    pos = end;
  }
  return { kind: kind as FileKind, records };
}

/**
 * The record's JSON, to be walked and parsed part by part. Anything in it that is not JSON, found now or
 * later (`jsonErrors` wraps the later reading), is a `DatabaseFileError` for the record.
 */
export function recordJson(path: string, data: Buffer, rec: FileRecord): JsonSlice {
  return jsonErrors(path, rec.offset, () => JsonSlice.of(data.toString('utf8', rec.start, rec.end)));
}

/** Run `fn`, turning a JSON syntax error into the record's `bad-json` error. */
export function jsonErrors<T>(path: string, offset: number, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof JsonSyntaxError) && !(err instanceof SyntaxError)) throw err;
    throw new DatabaseFileError(path, 'bad-json', offset, `the record is not valid JSON (${err.message})`, {
      cause: err,
    });
  }
}

/** Whether the bytes could be the start of a header line that the end of the file cut short. */
function isHeaderPrefix(bytes: Buffer): boolean {
  const text = bytes.toString('latin1');
  for (const magic of Object.keys(MAGIC)) {
    if (magic.startsWith(text)) return true;
    if (text.startsWith(magic) && /^ ?\d{0,15}(?: [0-9a-fA-F]{0,40})?$/.test(text.slice(magic.length))) return true;
  }
  return false;
}

function headerError(path: string, offset: number, kind: FileKind | undefined, bytes: Buffer): DatabaseFileError {
  const shown = JSON.stringify(bytes.toString('latin1'));
  if (kind === undefined) {
    return new DatabaseFileError(
      path,
      'not-ovsdb',
      offset,
      `not an ovsdb-server database file (it starts with ${shown})`,
    );
  }
  return new DatabaseFileError(path, 'bad-header', offset, `expected a record header, found ${shown}`);
}
