// Warnings about matches OVN accepts but that probably do not do what their author meant. None of these change
// OVN's verdict; each is something OVN does silently (clearing host bits, truncating a constant to a subfield,
// reading an IPv4 address as a number for a MAC field, skipping a flow it cannot resolve yet).
import { formatIpv4 } from '../net/ipv4.js';
import { formatIpv6 } from '../net/ipv6.js';
import { formatMac } from '../net/mac.js';
import type { CmpNode, Constant, IntegerConstant, MatchAst, Span } from './ast.js';
import { matchSpace } from './constraints.js';
import type { MatchContext } from './context.js';
import { addressSetValues, constantWidth, type MatchDiagnostic } from './parser.js';
import type { NumberFormat } from './scanner.js';
import type { FieldType } from './symbols.js';

const FAMILY_OF_FORMAT: Partial<Record<NumberFormat, FieldType>> = { ethernet: 'mac', ipv4: 'ipv4', ipv6: 'ipv6' };
const FAMILY_NAME: Partial<Record<FieldType, string>> = { mac: 'Ethernet', ipv4: 'IPv4', ipv6: 'IPv6' };

function prefixLength(mask: bigint, width: number): number | undefined {
  const bits = mask.toString(2);
  if (mask === 0n) return 0;
  return bits.length === width && /^1+0*$/.test(bits) ? bits.replace(/0+$/, '').length : undefined;
}

/** How a constant reads after OVN has applied its mask. */
export function describeConstant(format: NumberFormat, value: bigint, mask?: bigint): string {
  const width = format === 'ipv4' ? 32 : format === 'ipv6' ? 128 : format === 'ethernet' ? 48 : 0;
  let text: string;
  switch (format) {
    case 'ipv4':
      text = formatIpv4(value);
      break;
    case 'ipv6':
      text = formatIpv6(value);
      break;
    case 'ethernet':
      text = formatMac(value);
      break;
    case 'decimal':
      text = value.toString(10);
      break;
    case 'hexadecimal':
      text = `0x${value.toString(16)}`;
      break;
  }
  if (mask === undefined) return text;
  const plen = width > 0 ? prefixLength(mask, width) : undefined;
  if (plen !== undefined && format !== 'ethernet') return `${text}/${plen}`;
  return `${text}/${describeConstant(format, mask)}`;
}

function warn(out: MatchDiagnostic[], code: string, message: string, span: Span): void {
  out.push({ code, message, column: span.start, end: span.end });
}

function checkConstant(cmp: CmpNode, item: IntegerConstant, out: MatchDiagnostic[]): void {
  const f = cmp.field;
  if (item.hostBits) {
    warn(
      out,
      'host-bits-set',
      `${item.text} has bits set outside its mask; OVN clears them and matches ` +
        `${describeConstant(item.format, item.value, item.mask)}.`,
      item,
    );
  }
  const nBits = f.high - f.low + 1;
  const width = constantWidth(item.format, item.value, item.mask);
  if (f.sliced && width > nBits) {
    warn(
      out,
      'constant-truncated',
      `${f.name}[${f.low}..${f.high}] has ${nBits} bits but ${item.text} needs ${width}; ` +
        `OVN compares only its low ${nBits} bits.`,
      item,
    );
  }
  const family = FAMILY_OF_FORMAT[item.format];
  const fieldFamily = f.field.type;
  if (!f.sliced && family && FAMILY_NAME[fieldFamily] && family !== fieldFamily) {
    warn(
      out,
      'address-family-mismatch',
      `${f.name} holds an ${FAMILY_NAME[fieldFamily] ?? ''} address but ${item.text} is an ` +
        `${FAMILY_NAME[family] ?? ''} address; ` +
        `OVN compares it as a plain ${width}-bit number, which is almost certainly not what was meant.`,
      item,
    );
  }
}

function checkAddressSet(
  cmp: CmpNode,
  item: Extract<Constant, { kind: 'addressSet' }>,
  ctx: MatchContext,
  out: MatchDiagnostic[],
): void {
  const entries = ctx.addressSets?.get(item.name);
  if (!entries) return;
  const values = addressSetValues(entries);
  if (values.length === 0) {
    const why = entries.length === 0 ? 'is empty' : 'has no entry OVN can read';
    warn(
      out,
      'empty-address-set',
      `Address set $${item.name} ${why}, so \`==\` against it matches nothing and \`!=\` matches everything.`,
      item,
    );
    return;
  }
  const families = new Set(values.map((v) => FAMILY_OF_FORMAT[v.format] ?? 'integer'));
  if (families.size > 1) {
    warn(
      out,
      'address-set-mixed-families',
      `Address set $${item.name} mixes address families (${[...families].join(', ')}).`,
      item,
    );
    return;
  }
  const [family] = families;
  const fieldFamily = cmp.field.field.type;
  if (!cmp.field.sliced && family && FAMILY_NAME[fieldFamily] && FAMILY_NAME[family] && family !== fieldFamily) {
    warn(
      out,
      'address-family-mismatch',
      `${cmp.field.name} holds an ${FAMILY_NAME[fieldFamily] ?? ''} address but address set $${item.name} holds ` +
        `${FAMILY_NAME[family] ?? ''} addresses; OVN compares them as plain numbers.`,
      item,
    );
  }
}

function checkPortName(name: string, span: Span, ctx: MatchContext, out: MatchDiagnostic[]): void {
  // Multicast groups (outport == "_MC_flood") are not logical switch ports.
  if (!ctx.ports || name.startsWith('_MC_')) return;
  if (!ctx.ports.has(name)) {
    warn(out, 'unknown-port', `No logical switch port is named "${name}".`, span);
  } else if (ctx.datapathPorts && !ctx.datapathPorts.has(name)) {
    warn(
      out,
      'port-not-on-switch',
      `Port "${name}" is not on this logical switch, so this test never holds here.`,
      span,
    );
  }
}

function visit(node: MatchAst, ctx: MatchContext, out: MatchDiagnostic[]): void {
  switch (node.kind) {
    case 'and':
    case 'or':
      node.operands.forEach((o) => visit(o, ctx, out));
      return;
    case 'not':
      visit(node.operand, ctx, out);
      return;
    case 'chassisResident':
      checkPortName(node.port, node.portSpan, ctx, out);
      return;
    case 'bool':
      return;
    case 'test':
      if (node.field.field.kind === 'ovnField') ovnField(node.field, out);
      return;
    case 'cmp':
      if (node.field.field.kind === 'ovnField') ovnField(node.field, out);
      for (const item of node.values.items) {
        switch (item.kind) {
          case 'integer':
            checkConstant(node, item, out);
            break;
          case 'string':
            if (node.field.name === 'inport' || node.field.name === 'outport')
              checkPortName(item.value, item, ctx, out);
            break;
          case 'addressSet':
            checkAddressSet(node, item, ctx, out);
            break;
          case 'portGroup': {
            const members = ctx.portGroups?.get(item.name);
            if (members?.length === 0 && !ctx.datapathPorts) {
              warn(
                out,
                'empty-port-group',
                `Port group @${item.name} has no ports; ovn-controller cannot resolve @${item.name} ` +
                  'until it has some, ' +
                  'so it skips this flow and the rule has no effect.',
                item,
              );
            }
            break;
          }
        }
      }
      return;
  }
}

function ovnField(f: { name: string } & Span, out: MatchDiagnostic[]): void {
  warn(out, 'ovn-field-in-match', `${f.name} is an OVN field meant for actions; it has no packet field to match.`, f);
}

/** Warnings for a match OVN accepted (`ast` from the parser). */
export function validateMatch(ast: MatchAst, context: MatchContext = {}): MatchDiagnostic[] {
  const out: MatchDiagnostic[] = [];
  visit(ast, context, out);
  const space = matchSpace(ast, context);
  if (space?.conjunctions.length === 0 && space.conflicts.size > 0) {
    const fields = [...space.conflicts].sort().join(', ');
    warn(
      out,
      'never-matches',
      `This match can never be true: its conditions on ${fields} contradict each other (counting the prerequisites ` +
        'OVN adds, e.g. tcp.dst implies ip.proto == 6).',
      ast,
    );
  }
  return out.sort((a, b) => a.column - b.column || a.code.localeCompare(b.code));
}
