// @ovsdb-web/ovn: OVN knowledge for OVSDB Web, browser-safe and UI-free. Match expressions (lexer, parser,
// validator, completion), address parsers, the northbound rules and the lint.

export type {
  AddressSetRef,
  AndNode,
  BoolNode,
  ChassisResidentNode,
  CmpNode,
  Constant,
  FieldRef,
  IntegerConstant,
  MatchAst,
  NotNode,
  OrNode,
  PortGroupRef,
  RelOp,
  Span,
  StringConstant,
  TestNode,
  ValueSet,
} from './match/ast.js';
export type { MatchContext } from './match/context.js';
export { lexMatch, type MatchToken, type MatchTokenKind } from './match/lexer.js';
export { parseMatch, type MatchResult } from './match/match.js';
export type { MatchDiagnostic } from './match/parser.js';
export type { NumberFormat } from './match/scanner.js';
export {
  lookupField,
  MATCH_FIELDS,
  MATCH_FUNCTIONS,
  type FieldInfo,
  type FieldKind,
  type FieldLevel,
  type FieldType,
} from './match/symbols.js';
export { completeMatch, type Completion, type CompletionItem, type CompletionKind } from './match/complete.js';
export {
  matchSpace,
  spaceCovers,
  spacesOverlap,
  type Conjunction,
  type FieldSet,
  type MatchSpace,
  type Ternary,
} from './match/constraints.js';

export { formatIpv4, parseIpv4 } from './net/ipv4.js';
export { formatIpv6, parseIpv6 } from './net/ipv6.js';
export { formatMac, isMulticastMac, isVrrpV3Mac, parseMac } from './net/mac.js';
export {
  parseIpWithPrefix,
  parseLspAddress,
  parsePortSecurity,
  type AddressProblem,
  type IpAddress,
  type LspAddress,
  type MacAddress,
  type Parsed,
  type PortSecurityEntry,
} from './net/addresses.js';

export {
  nbFeaturesFromSchema,
  type AclOwner,
  type AclRow,
  type AddressSetRow,
  type LintProblem,
  type LogicalRouterPortRow,
  type LogicalSwitchPortRow,
  type LogicalSwitchRow,
  type MeterRow,
  type NbSnapshot,
  type PortGroupRow,
  type Problem,
  type RuleResult,
} from './nb/types.js';
export { buildMatchContext } from './nb/snapshot-index.js';
export { checkAcl, normalizeMatch, type AclCheckContext } from './nb/acl.js';
export { checkLogicalSwitchPort, LSP_TYPES, type LspCheckContext } from './nb/lsp.js';
export { checkPortGroup, type PortGroupCheckContext } from './nb/port-group.js';
export { checkAddressSet, type AddressSetCheckContext } from './nb/address-set.js';
export { cmsOwner, type CmsOwner } from './nb/cms.js';
export { lintNorthbound } from './nb/lint.js';
