// Collects the problems one rule function finds.
import type { Problem, RuleResult } from './types.js';

export class Findings {
  readonly errors: Problem[] = [];
  readonly warnings: Problem[] = [];

  error(column: string, code: string, message: string, offset?: number): void {
    this.errors.push(offset === undefined ? { column, code, message } : { column, code, message, offset });
  }

  warning(column: string, code: string, message: string, offset?: number): void {
    this.warnings.push(offset === undefined ? { column, code, message } : { column, code, message, offset });
  }

  result(): RuleResult {
    return { errors: this.errors, warnings: this.warnings };
  }
}
