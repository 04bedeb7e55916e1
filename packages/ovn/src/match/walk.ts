// Visiting every node of a match, knowing whether an odd number of `!` encloses it.
import type { MatchAst } from './ast.js';

export function walkMatch(ast: MatchAst, visit: (node: MatchAst, negated: boolean) => void, negated = false): void {
  visit(ast, negated);
  switch (ast.kind) {
    case 'and':
    case 'or':
      for (const o of ast.operands) walkMatch(o, visit, negated);
      return;
    case 'not':
      walkMatch(ast.operand, visit, !negated);
      return;
    default:
      return;
  }
}
