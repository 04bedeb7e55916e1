/**
 * The audit log: one JSON line per transact attempt — committed, dry run, refused by a check, or refused
 * before the handler ran (no token, a malformed or oversized body, a rate limit). Writes are serialised so
 * lines never interleave; a failing disk is reported in the gateway log, never to the request.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { stringifyJson, type Json } from '@ovsdb-web/client';

export interface AuditRecord {
  time: string;
  user: string;
  role: string;
  clientAddress: string;
  userAgent?: string;
  remote: string;
  db: string;
  dryRun: boolean;
  /** The operations as received; absent when the body could not be read. */
  operations?: Json;
  /** Set when the body was refused before its operations could be read. */
  body?: { bytes: number };
  /** The HTTP status of the answer. */
  status: number;
  result?: Json;
  error?: Json;
  /** The text of the OVSDB comment operation added to a committed transaction, to find it in the server log. */
  comment?: string;
  durationMs: number;
}

export class AuditLog {
  private chain: Promise<void> = Promise.resolve();

  private constructor(private readonly file: FileHandle | undefined) {}

  static async open(path: string | undefined): Promise<AuditLog> {
    return new AuditLog(path ? await open(path, 'a', 0o640) : undefined);
  }

  get enabled(): boolean {
    return this.file !== undefined;
  }

  /** Appends a record; resolves when it is written, rejects only when the disk refuses. */
  write(record: AuditRecord): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const line = `${encode(record)}\n`;
    this.chain = this.chain.then(() => file.appendFile(line, 'utf8'));
    return this.chain;
  }

  /** Resolves once every record written so far is on disk (readers of the file wait for it). */
  async flushed(): Promise<void> {
    await this.chain.catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.chain.catch(() => undefined);
    await this.file?.close();
  }
}

/** A record as JSON; a value that cannot be written (it cannot come from a parsed body) is replaced, not lost. */
function encode(record: AuditRecord): string {
  try {
    return stringifyJson(record as unknown as Json);
  } catch (err) {
    const { operations: _dropped, ...rest } = record;
    return stringifyJson({ ...rest, operations: `<not recordable: ${(err as Error).message}>` });
  }
}
