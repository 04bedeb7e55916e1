// The one entry point for checking a match: OVN's verdict (errors) plus our warnings.
import type { MatchAst } from './ast.js';
import type { MatchContext } from './context.js';
import { parseMatchSyntax, type MatchDiagnostic } from './parser.js';
import { validateMatch } from './validate.js';

export interface MatchResult {
  /** OVN 23.03 would accept the match (warnings do not change this). */
  readonly ok: boolean;
  readonly ast?: MatchAst;
  /** At most one: like OVN, parsing stops at the first error. */
  readonly errors: readonly MatchDiagnostic[];
  readonly warnings: readonly MatchDiagnostic[];
}

export function parseMatch(text: string, context?: MatchContext): MatchResult {
  const { ast, error } = parseMatchSyntax(text, context);
  if (error || !ast) return { ok: false, errors: error ? [error] : [], warnings: [] };
  return { ok: true, ast, errors: [], warnings: validateMatch(ast, context) };
}
