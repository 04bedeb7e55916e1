/**
 * The filter box of a table view. It takes, in one line:
 * - RFC 7047 conditions as JSON, when the text starts with `[`: `[["priority", ">=", 1000]]`;
 * - ovn-nbctl `find` clauses: `external_ids:k8s.ovn.org/pod=default/web-1`, `addresses{>=}"0a:… 10.0.0.5"`,
 *   `priority>=1000` (the value quoted when it has spaces);
 * - free text: any other word or "quoted phrase", matched case-insensitively against the whole row.
 * Everything given must hold. A mistake is reported with its offset in the text, so the box can mark it.
 */
import {
  evaluateConditions,
  FilterError,
  findPredicate,
  JsonSyntaxError,
  MAX_FILTER_DEPTH,
  OvsdbError,
  parseConditions,
  parseFindClause,
  parseJson,
  type TableSchema,
  type WireRow,
} from '@ovsdb-web/client/core';
import type { RowReader } from './rows.js';

export interface FilterProblem {
  message: string;
  /** Offset of the bad spot in the filter text, and how much of it to mark. */
  offset: number;
  length: number;
}

export type RowTest = (row: WireRow) => boolean;

export interface ParsedFilter {
  /** Undefined when the filter is empty (every row passes). */
  test: RowTest | undefined;
  problem: FilterProblem | undefined;
  /** The free-text words, for highlighting. */
  words: string[];
}

const CLAUSE_HEAD =
  /^[A-Za-z_][A-Za-z0-9_]*(?::(?:"(?:[^"\\]|\\.)*"|[^\s!=<>{}]+))?\s*(?:\{!=\}|\{<=\}|\{>=\}|\{=\}|\{<\}|\{>\}|!=|<=|>=|=|<|>)/;

interface Token {
  text: string;
  start: number;
}

/** Split at spaces outside quotes, brackets and braces. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (i >= text.length) break;
    const start = i;
    let depth = 0;
    let quoted = false;
    for (; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '\\') i++;
        else if (c === '"') quoted = false;
      } else if (c === '"') quoted = true;
      else if (c === '[' || c === '{') depth++;
      else if (c === ']' || c === '}') depth = Math.max(0, depth - 1);
      else if (depth === 0 && /\s/.test(c as string)) break;
    }
    out.push({ text: text.slice(start, i), start });
  }
  return out;
}

export function parseFilterText(text: string, table: TableSchema, reader: RowReader): ParsedFilter {
  const trimmed = text.trim();
  if (trimmed === '') return { test: undefined, problem: undefined, words: [] };
  if (trimmed.startsWith('[')) return conditions(text, table, reader);
  const tests: RowTest[] = [];
  const words: string[] = [];
  for (const token of tokenize(text)) {
    if (CLAUSE_HEAD.test(token.text)) {
      try {
        const clause = parseFindClause(table, token.text);
        const p = findPredicate(clause);
        // A clause reads one column: decode that one (cached per row), not the whole row.
        const column = clause.column;
        tests.push((row) => p({ [column]: reader.datum(row, column) }));
      } catch (err) {
        if (err instanceof FilterError)
          return failed({
            message: err.reason,
            offset: token.start + err.offset,
            length: markLength(token.text, err.offset),
          });
        throw err;
      }
      continue;
    }
    const word = (
      token.text.startsWith('"') && token.text.endsWith('"') && token.text.length >= 2
        ? unquote(token.text)
        : token.text
    ).toLowerCase();
    if (word === '') continue;
    words.push(word);
    tests.push((row) => reader.searchText(row).includes(word));
  }
  return { test: (row) => tests.every((t) => t(row)), problem: undefined, words };
}

function conditions(text: string, table: TableSchema, reader: RowReader): ParsedFilter {
  const lead = text.length - text.trimStart().length;
  let json;
  try {
    json = parseJson(text.trim(), { maxDepth: MAX_FILTER_DEPTH });
  } catch (err) {
    if (err instanceof JsonSyntaxError)
      return failed({ message: `not valid JSON: ${err.reason}`, offset: lead + err.position, length: 1 });
    throw err;
  }
  try {
    const conds = parseConditions(table, json);
    return { test: (row) => evaluateConditions(conds, reader.row(row), 'all'), problem: undefined, words: [] };
  } catch (err) {
    if (err instanceof OvsdbError)
      return failed({ message: err.details ?? err.message, offset: lead, length: text.trim().length });
    throw err;
  }
}

function failed(problem: FilterProblem): ParsedFilter {
  return { test: undefined, problem, words: [] };
}

function markLength(token: string, offset: number): number {
  const rest = token.slice(offset);
  const m = /^("(?:[^"\\]|\\.)*"?|[^\s,=\]}]+)/.exec(rest);
  return Math.max(1, m?.[0].length ?? 1);
}

function unquote(s: string): string {
  try {
    const v: unknown = JSON.parse(s);
    return typeof v === 'string' ? v : s.slice(1, -1);
  } catch {
    return s.slice(1, -1);
  }
}
