// Names that matches refer to: `$name` and `@name` are lexed as identifiers, so only identifier characters
// work (ovn-nb(5): "Names are ASCII and must match [a-zA-Z_.][a-zA-Z_.0-9]*").
import type { Findings } from './findings.js';

export const MATCH_NAME = /^[a-zA-Z_.][a-zA-Z_.0-9]*$/;

export function checkMatchName(f: Findings, name: string, sigil: '$' | '@', what: string): void {
  if (name === '') {
    f.error('name', 'name-empty', `An ${what} needs a name.`);
  } else if (!MATCH_NAME.test(name)) {
    f.error(
      'name',
      'name-not-usable',
      `"${name}" cannot be written as ${sigil}${name} in a match: names must match [a-zA-Z_.][a-zA-Z_.0-9]*.`,
    );
  }
}
