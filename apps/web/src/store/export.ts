/**
 * The rows of a view as a file: CSV with one column per table column and values in the notation ovs-vsctl
 * prints (what an operator would paste back into a command), quoted per RFC 4180.
 */
import type { WireRow } from '@ovsdb-web/client/core';
import { uuidOfRow, type RowReader } from './rows.js';

function field(s: string): string {
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(reader: RowReader, rows: readonly WireRow[], columns: readonly string[]): string {
  const lines = [['_uuid', ...columns].map(field).join(',')];
  for (const row of rows) lines.push([uuidOfRow(row), ...columns.map((c) => reader.text(row, c))].map(field).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
