// The ACL rules of SPEC §5, from ovn-nb(5) "ACL TABLE" (OVN 23.03) and how ovn-northd 23.03 turns ACLs into
// logical flows.
//
// Comparing ACLs with each other (duplicates, overlaps, shadowing) uses the ACLs that act on the same logical
// switch: its own and those of port groups with ports on it (ovn-northd instantiates a port group's ACLs on
// every such switch), and only within one stage: same direction, same apply-after-lb, same tier.
import type { MatchAst } from '../match/ast.js';
import { matchSpace, spaceCovers, spacesOverlap, type MatchSpace } from '../match/constraints.js';
import { lexMatch } from '../match/lexer.js';
import { parseMatch } from '../match/match.js';
import type { MatchDiagnostic } from '../match/parser.js';
import { walkMatch } from '../match/walk.js';
import { warnIfCmsOwned } from './cms.js';
import { Findings } from './findings.js';
import { indexSnapshot, type SnapshotIndex } from './snapshot-index.js';
import type { AclOwner, AclRow, NbSnapshot, RuleResult } from './types.js';

export interface AclCheckContext {
  readonly snapshot: NbSnapshot;
  /** Where the ACL is, or is about to be, attached. Default: where the snapshot has it. */
  readonly attachedTo?: readonly AclOwner[];
}

const ACTIONS = ['allow', 'allow-related', 'allow-stateless', 'drop', 'reject'];
const TIER_ACTIONS = [...ACTIONS, 'pass'];
const SEVERITIES = ['alert', 'warning', 'notice', 'info', 'debug'];
const BOOLEAN_OPTIONS = ['apply-after-lb', 'log-related', 'persist-established'];
const MAX_PRIORITY = 32767;
const MAX_LABEL = 4294967295;
const MAX_NAME = 63;
const MAX_TIER = 3;

const isTrue = (m: ReadonlyMap<string, string>, key: string): boolean => m.get(key) === 'true';

/** A string's length in Unicode code points, which is how OVSDB counts a column's `maxLength`. */
function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** What the comparisons need to know about one ACL's match. */
interface AclMatchInfo {
  readonly ok: boolean;
  readonly ast?: MatchAst;
  readonly key: string;
  readonly space?: MatchSpace;
  readonly errors: readonly MatchDiagnostic[];
  readonly warnings: readonly MatchDiagnostic[];
}

const infoCache = new WeakMap<SnapshotIndex, Map<string, AclMatchInfo>>();

/** The match with comments dropped and tokens single-spaced: how two matches are compared for duplication. */
export function normalizeMatch(text: string): string {
  return lexMatch(text)
    .filter((t) => t.kind !== 'comment')
    .map((t) => t.text)
    .join(' ');
}

function analyze(text: string, index: SnapshotIndex): AclMatchInfo {
  const res = parseMatch(text, index.matchContext);
  const base = { ok: res.ok, key: normalizeMatch(text), errors: res.errors, warnings: res.warnings };
  if (!res.ast) return base;
  const space = matchSpace(res.ast, index.matchContext);
  return space ? { ...base, ast: res.ast, space } : { ...base, ast: res.ast };
}

function infoFor(acl: AclRow, index: SnapshotIndex): AclMatchInfo {
  let perIndex = infoCache.get(index);
  if (!perIndex) {
    perIndex = new Map();
    infoCache.set(index, perIndex);
  }
  const stored = index.acls.get(acl.uuid);
  if (stored !== acl) return analyze(acl.match, index);
  let info = perIndex.get(acl.uuid);
  if (!info) {
    info = analyze(acl.match, index);
    perIndex.set(acl.uuid, info);
  }
  return info;
}

function stage(acl: AclRow): string {
  return `${acl.direction}|${isTrue(acl.options, 'apply-after-lb') ? 'after-lb' : ''}|${acl.tier ?? 0}`;
}

function ownerName(owner: AclOwner, index: SnapshotIndex): string {
  if (owner.table === 'Logical_Switch') return `logical switch ${index.switches.get(owner.uuid)?.name ?? owner.uuid}`;
  return `port group ${index.portGroups.get(owner.uuid)?.name ?? owner.uuid}`;
}

function switchName(uuid: string, index: SnapshotIndex): string {
  return index.switches.get(uuid)?.name ?? uuid;
}

function describe(acl: AclRow): string {
  return `ACL ${acl.uuid} (${acl.direction} priority ${acl.priority} ${acl.action}${acl.name ? ` "${acl.name}"` : ''})`;
}

function checkScalars(acl: AclRow, f: Findings, aclTiers: boolean): void {
  if (acl.direction !== 'from-lport' && acl.direction !== 'to-lport') {
    f.error('direction', 'acl-direction', `direction must be from-lport or to-lport, not "${acl.direction}".`);
  }
  if (!Number.isInteger(acl.priority) || acl.priority < 0 || acl.priority > MAX_PRIORITY) {
    f.error('priority', 'acl-priority', `priority must be an integer from 0 to ${MAX_PRIORITY}.`);
  }
  const actions = aclTiers ? TIER_ACTIONS : ACTIONS;
  if (!actions.includes(acl.action)) {
    const why =
      acl.action === 'pass' ? ' The pass action needs ACL tiers (OVN 23.06 or later); this database has none.' : '';
    f.error('action', 'acl-action', `action must be one of ${actions.join(', ')}, not "${acl.action}".${why}`);
  }
  const nameLength = acl.name === undefined ? 0 : codePointLength(acl.name);
  if (nameLength > MAX_NAME) {
    f.error('name', 'acl-name-length', `name may be at most ${MAX_NAME} characters long (it has ${nameLength}).`);
  }
  if (acl.severity !== undefined && !SEVERITIES.includes(acl.severity)) {
    f.error('severity', 'acl-severity', `severity must be one of ${SEVERITIES.join(', ')}, not "${acl.severity}".`);
  }
  if (!acl.log) {
    if (acl.severity !== undefined)
      f.warning('severity', 'acl-log-setting-unused', 'severity has no effect while log is false.');
    if (acl.meter !== undefined)
      f.warning(
        'meter',
        'acl-log-setting-unused',
        'meter only rate-limits log messages; it has no effect while log is false.',
      );
  }
  if (!Number.isInteger(acl.label) || acl.label < 0 || acl.label > MAX_LABEL) {
    f.error('label', 'acl-label-range', `label must be an integer from 0 to ${MAX_LABEL}.`);
  } else if (acl.label !== 0 && acl.action !== 'allow' && acl.action !== 'allow-related') {
    f.error(
      'label',
      'acl-label-action',
      'label is only meaningful with allow and allow-related: it is written to the connection-tracking entry, ' +
        `and ${acl.action} creates none.`,
    );
  }
  if (acl.tier !== undefined) {
    if (!aclTiers) {
      f.error('tier', 'acl-tier-unsupported', 'This database has no ACL tiers (OVN 23.03); leave tier unset.');
    } else if (!Number.isInteger(acl.tier) || acl.tier < 0 || acl.tier > MAX_TIER) {
      f.error('tier', 'acl-tier', `tier must be an integer from 0 to ${MAX_TIER}.`);
    }
  }
}

function checkOptions(acl: AclRow, f: Findings, index: SnapshotIndex): void {
  for (const [key, value] of acl.options) {
    if (!BOOLEAN_OPTIONS.includes(key)) {
      f.warning(
        'options',
        'acl-unknown-option',
        `options:${key} is not an ACL option OVN knows (${BOOLEAN_OPTIONS.join(', ')}).`,
      );
    } else if (value !== 'true' && value !== 'false') {
      f.warning('options', 'acl-option-value', `options:${key} should be "true" or "false", not "${value}".`);
    }
  }
  if (isTrue(acl.options, 'apply-after-lb') && acl.direction !== 'from-lport') {
    f.error('options', 'acl-apply-after-lb-direction', 'options:apply-after-lb is supported only for from-lport ACLs.');
  }
  if (isTrue(acl.options, 'persist-established') && acl.action !== 'allow-related') {
    f.error(
      'options',
      'acl-persist-established-action',
      'options:persist-established applies only to allow-related ACLs.',
    );
  }
  if (isTrue(acl.options, 'log-related')) {
    if (!acl.log) f.error('options', 'acl-log-related-needs-log', 'options:log-related needs log=true.');
    if (acl.label === 0) {
      f.error(
        'options',
        'acl-log-related-needs-label',
        'options:log-related needs a label: it is how reply traffic is tied back to this ACL.',
      );
    } else {
      const twin = index.snapshot.acls.find((o) => o.uuid !== acl.uuid && o.label === acl.label);
      if (twin) {
        f.error(
          'label',
          'acl-log-related-label-not-unique',
          `options:log-related needs a label unique to this ACL, but ${describe(twin)} also has label ${acl.label}.`,
        );
      }
    }
  }
}

function matchProblems(acl: AclRow, info: AclMatchInfo, f: Findings): void {
  for (const e of info.errors) f.error('match', e.code, e.detail ? `${e.message} ${e.detail}` : e.message, e.column);
  for (const w of info.warnings) f.warning('match', w.code, w.message, w.column);
  const lastComment = lexMatch(acl.match)
    .filter((t) => t.kind === 'comment')
    .pop();
  if (lastComment?.text.startsWith('//') && lastComment.end === acl.match.length) {
    f.error(
      'match',
      'acl-match-line-comment',
      'A // comment runs to the end of the match. ovn-northd wraps ACL matches in parentheses (on any switch with ' +
        'stateful ACLs), the comment swallows the closing one, and ovn-controller then rejects the flow. Use /* */ ' +
        'or end the comment with a newline.',
      lastComment.start,
    );
  }
  if (!info.ast) return;
  if (acl.direction === 'from-lport') {
    let at: number | undefined;
    walkMatch(info.ast, (n) => {
      const field = n.kind === 'cmp' || n.kind === 'test' ? n.field : undefined;
      if (field?.name === 'outport' && at === undefined) at = field.start;
    });
    if (at !== undefined) {
      f.error(
        'match',
        'acl-outport-from-lport',
        'outport is only available in to-lport ACLs: from-lport ACLs run before the output port is chosen.',
        at,
      );
    }
  }
}

function usesConntrack(ast: MatchAst): number | undefined {
  let at: number | undefined;
  walkMatch(ast, (n) => {
    const field = n.kind === 'cmp' || n.kind === 'test' ? n.field : undefined;
    if (field?.field.conntrack && at === undefined) at = field.start;
  });
  return at;
}

/**
 * `@group` references whose failure to resolve would also lose other parts of the match: inside an `||`, or in
 * a value set beside other values. (A reference that is a plain conjunct loses nothing: with no port of the
 * group on the switch the conjunct, and so the match, is false there anyway.)
 */
function portGroupsWithCompanions(ast: MatchAst): { name: string; at: number }[] {
  const out: { name: string; at: number }[] = [];
  const visit = (n: MatchAst, underOr: boolean): void => {
    switch (n.kind) {
      case 'and':
        n.operands.forEach((o) => visit(o, underOr));
        return;
      case 'or':
        n.operands.forEach((o) => visit(o, true));
        return;
      case 'not':
        visit(n.operand, underOr);
        return;
      case 'cmp':
        for (const item of n.values.items) {
          if (item.kind === 'portGroup' && (underOr || n.values.items.length > 1))
            out.push({ name: item.name, at: item.start });
        }
        return;
      default:
        return;
    }
  };
  visit(ast, false);
  return out;
}

function switchesOf(owners: readonly AclOwner[], index: SnapshotIndex): Set<string> {
  const out = new Set<string>();
  for (const o of owners) {
    if (o.table === 'Logical_Switch') out.add(o.uuid);
    else for (const sw of index.switchesOfPortGroup.get(o.uuid) ?? []) out.add(sw);
  }
  return out;
}

function isStatefulAction(action: string): boolean {
  return action === 'allow-related';
}

function checkSiblings(
  acl: AclRow,
  info: AclMatchInfo,
  owners: readonly AclOwner[],
  f: Findings,
  index: SnapshotIndex,
): void {
  const myStage = stage(acl);
  const duplicates = new Set<string>();
  for (const owner of owners) {
    const container =
      owner.table === 'Logical_Switch' ? index.switches.get(owner.uuid)?.acls : index.portGroups.get(owner.uuid)?.acls;
    for (const uuid of container ?? []) {
      const other = index.acls.get(uuid);
      if (!other || other.uuid === acl.uuid || stage(other) !== myStage || other.priority !== acl.priority) continue;
      if (infoFor(other, index).key === info.key && !duplicates.has(uuid)) {
        duplicates.add(uuid);
        f.error(
          'match',
          'acl-duplicate',
          `Duplicate of ${describe(other)} on ${ownerName(owner, index)}: same direction, priority, tier and match.`,
        );
      }
    }
  }

  const switches = switchesOf(owners, index);
  const statefulSwitches = new Set<string>();
  const compared = new Set<string>(duplicates);
  const mine = info.space && info.space.conjunctions.length > 0 ? info.space : undefined;
  for (const sw of switches) {
    for (const uuid of index.aclsOnSwitch.get(sw) ?? []) {
      const other = index.acls.get(uuid);
      if (!other || other.uuid === acl.uuid) continue;
      if (isStatefulAction(other.action)) statefulSwitches.add(sw);
      if (compared.has(uuid) || stage(other) !== myStage) continue;
      compared.add(uuid);
      // ovn-nb(5): allow-stateless ACLs take precedence over stateful ones whatever their priority, so
      // priority order says nothing about a pair where only one of them is allow-stateless.
      if ((acl.action === 'allow-stateless') !== (other.action === 'allow-stateless')) continue;
      const theirs = infoFor(other, index);
      if (!info.ok || !theirs.ok) continue;
      const same = theirs.key === info.key;
      if (other.priority === acl.priority && other.action !== acl.action) {
        if (same || (mine && theirs.space && spacesOverlap(mine, theirs.space))) {
          f.warning(
            'match',
            'acl-overlap',
            `Overlaps ${describe(other)} at the same priority with a different action; which one applies to a packet ` +
              'both match is undefined.',
          );
        }
      } else if (other.priority > acl.priority && (same || (mine && theirs.space && spaceCovers(theirs.space, mine)))) {
        const effect = other.action === acl.action ? 'so this ACL is redundant' : 'so this ACL never takes effect';
        f.warning(
          'match',
          'acl-shadowed',
          `Every packet this ACL matches is matched first by ${describe(other)}, ${effect}.`,
        );
      }
    }
  }

  const knownWithoutLb = (sw: string): boolean => {
    const ls = index.switches.get(sw);
    return ls?.load_balancer?.length === 0 && (ls.load_balancer_group ?? []).length === 0;
  };
  if (isStatefulAction(acl.action)) {
    for (const sw of switches) {
      if (statefulSwitches.has(sw) || !knownWithoutLb(sw)) continue;
      f.warning(
        'action',
        'acl-first-stateful',
        `This is the first allow-related ACL on logical switch ${switchName(sw, index)}: ` +
          'it makes the switch stateful, ' +
          'so all its IP traffic goes through connection tracking and its allow ACLs behave like allow-related.',
      );
    }
  }

  if (!info.ast) return;
  const ctAt = usesConntrack(info.ast);
  if (ctAt !== undefined && acl.action === 'allow-stateless') {
    f.warning(
      'match',
      'acl-ct-without-conntrack',
      'The match tests connection-tracking state, but allow-stateless traffic skips connection tracking.',
      ctAt,
    );
  } else if (ctAt !== undefined && !isStatefulAction(acl.action)) {
    for (const sw of switches) {
      if (statefulSwitches.has(sw) || !knownWithoutLb(sw)) continue;
      f.warning(
        'match',
        'acl-ct-without-conntrack',
        `The match tests connection-tracking state, but logical switch ${switchName(sw, index)} has no ` +
          'allow-related ACL or load balancer, so its traffic never goes through connection tracking.',
        ctAt,
      );
    }
  }
  for (const { name, at } of portGroupsWithCompanions(info.ast)) {
    const members = index.matchContext.portGroups?.get(name);
    // An empty group already has its own warning from the match validator.
    if (!members || members.length === 0) continue;
    for (const sw of switches) {
      const here = index.portNamesOnSwitch.get(sw);
      if (members.some((m) => here?.has(m))) continue;
      f.warning(
        'match',
        'acl-port-group-not-on-switch',
        `@${name} has no ports on logical switch ${switchName(sw, index)}, so ovn-controller cannot resolve it there ` +
          'and skips the whole flow on that switch, including the parts of the match that do not involve ' +
          `@${name}.`,
        at,
      );
    }
  }
}

/** Checks one ACL row (as stored or as edited) against OVN's rules and the rest of the database. */
export function checkAcl(acl: AclRow, ctx: AclCheckContext): RuleResult {
  const index = indexSnapshot(ctx.snapshot);
  const f = new Findings();
  const aclTiers = ctx.snapshot.aclTiers ?? false;
  checkScalars(acl, f, aclTiers);
  if (acl.meter !== undefined && !index.meterNames.has(acl.meter)) {
    f.error('meter', 'acl-meter-missing', `No Meter is named "${acl.meter}".`);
  }
  checkOptions(acl, f, index);
  const info = infoFor(acl, index);
  matchProblems(acl, info, f);
  const owners = ctx.attachedTo ?? index.aclOwners.get(acl.uuid) ?? [];
  checkSiblings(acl, info, owners, f, index);
  warnIfCmsOwned(f, acl.external_ids, 'ACL');
  return f.result();
}
