/**
 * The audit log: one JSON line per transact attempt (dry runs too), appended to a file. Writes are
 * serialised so lines never interleave, and a failing disk is reported, not fatal to the request.
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
  operations: Json;
  result?: Json;
  error?: Json;
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

  write(record: AuditRecord): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const line = `${stringifyJson(record as unknown as Json)}\n`;
    this.chain = this.chain.then(() => file.appendFile(line, 'utf8'));
    return this.chain;
  }

  async close(): Promise<void> {
    await this.chain.catch(() => undefined);
    await this.file?.close();
  }
}
