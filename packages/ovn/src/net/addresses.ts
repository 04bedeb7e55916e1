// Logical_Switch_Port `addresses` and `port_security` entries (ovn-nb(5)).
//
// OVN itself is lenient here: ovn-northd reads "MAC IP IP …" with scanf-style parsing, silently wraps an
// octet of 300 to 44, and stops at the first word it cannot read, ignoring the rest of the entry with only
// an INFO log line. These parsers are strict instead, so an editor can say what OVN would quietly drop.
import { ipv4PrefixMask, parseIpv4 } from './ipv4.js';
import { ipv6PrefixMask, parseIpv6 } from './ipv6.js';
import { isMulticastMac, isVrrpV3Mac, parseMac } from './mac.js';

export interface IpAddress {
  readonly family: 4 | 6;
  readonly value: bigint;
  /** Prefix length when written with one (`10.0.0.5/24`). */
  readonly prefix?: number;
  readonly text: string;
  readonly offset: number;
}

export interface MacAddress {
  readonly value: bigint;
  readonly text: string;
  /** An RFC 5798 virtual router MAC, which several ports may share on purpose. */
  readonly vrrpv3: boolean;
}

export type LspAddress =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'router' }
  | { readonly kind: 'dynamic'; readonly mac?: MacAddress; readonly ipv4?: IpAddress; readonly ipv6?: IpAddress }
  | { readonly kind: 'static'; readonly mac: MacAddress; readonly ips: readonly IpAddress[] };

export interface PortSecurityEntry {
  readonly mac: MacAddress;
  readonly ips: readonly IpAddress[];
}

export interface AddressProblem {
  readonly code: string;
  readonly message: string;
  /** Offset of the offending word in the entry. */
  readonly offset: number;
  readonly end: number;
}

export interface Parsed<T> {
  readonly value?: T;
  readonly errors: AddressProblem[];
  readonly warnings: AddressProblem[];
}

interface Word {
  readonly text: string;
  readonly offset: number;
}

function words(text: string): Word[] {
  const out: Word[] = [];
  const re = /\S+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push({ text: m[0], offset: m.index });
  return out;
}

function problem(code: string, message: string, w: Word): AddressProblem {
  return { code, message, offset: w.offset, end: w.offset + w.text.length };
}

function empty(message: string): AddressProblem {
  return { code: 'empty', message, offset: 0, end: 0 };
}

function mac(w: Word): MacAddress | undefined {
  const value = parseMac(w.text);
  return value === undefined ? undefined : { value, text: w.text, vrrpv3: isVrrpV3Mac(value) };
}

/** IPv4 netmasks by prefix length. */
const PREFIXES = Array.from({ length: 33 }, (_, p) => ipv4PrefixMask(p));

/** `IP` or `IP/PREFIX` (IPv4 also `IP/NETMASK` with a contiguous mask), as ip_parse_cidr_len reads it. */
export function parseIpWithPrefix(text: string, offset = 0): IpAddress | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const plen = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = parseIpv4(addr);
  if (v4 !== undefined) {
    if (plen === undefined) return { family: 4, value: v4, text, offset };
    const netmask = parseIpv4(plen);
    const prefix = /^\d{1,2}$/.test(plen) ? Number(plen) : PREFIXES.findIndex((m) => m === netmask);
    return prefix >= 0 && prefix <= 32 ? { family: 4, value: v4, prefix, text, offset } : undefined;
  }
  const v6 = parseIpv6(addr);
  if (v6 === undefined) return undefined;
  if (plen === undefined) return { family: 6, value: v6, text, offset };
  const prefix = /^\d{1,3}$/.test(plen) ? Number(plen) : -1;
  return prefix >= 0 && prefix <= 128 ? { family: 6, value: v6, prefix, text, offset } : undefined;
}

/** The network part is all of the address: no host bits set below the prefix. */
export function hasHostBits(ip: IpAddress): boolean {
  if (ip.prefix === undefined) return false;
  const mask = ip.family === 4 ? ipv4PrefixMask(ip.prefix) : ipv6PrefixMask(ip.prefix);
  return (ip.value & ~mask) !== 0n;
}

function macWarnings(m: MacAddress, w: Word, warnings: AddressProblem[]): void {
  if (m.value === 0n) warnings.push(problem('zero-mac', `${w.text} is the all-zero Ethernet address.`, w));
  else if (isMulticastMac(m.value)) {
    const message = `${w.text} is a multicast/broadcast Ethernet address, not one a port can own.`;
    warnings.push(problem('multicast-mac', message, w));
  }
}

function ipList(
  rest: readonly Word[],
  errors: AddressProblem[],
  warnings: AddressProblem[],
  context: string,
): IpAddress[] {
  const ips: IpAddress[] = [];
  const seen = new Set<string>();
  for (const w of rest) {
    if (w.text.includes(',')) {
      warnings.push(
        problem(
          'comma-separated',
          `${w.text}: OVN 23.03 reads ${context} with the same parser as addresses, which stops at a comma; ` +
            'separate addresses with spaces.',
          w,
        ),
      );
      let offset = w.offset;
      for (const part of w.text.split(',')) {
        if (part !== '') {
          const ip = parseIpWithPrefix(part, offset);
          if (ip) ips.push(ip);
          else errors.push(problem('bad-ip', `${part} is not an IPv4 or IPv6 address.`, { text: part, offset }));
        }
        offset += part.length + 1;
      }
      continue;
    }
    const ip = parseIpWithPrefix(w.text, w.offset);
    if (!ip) {
      errors.push(
        problem(
          'bad-ip',
          `${w.text} is not an IPv4 or IPv6 address (optionally with a /prefix); OVN stops reading the entry here ` +
            'and ignores the rest of it.',
          w,
        ),
      );
      break;
    }
    const key = `${ip.family}:${ip.value.toString(16)}`;
    if (seen.has(key)) warnings.push(problem('repeated-ip', `${w.text} is listed twice in this entry.`, w));
    seen.add(key);
    ips.push(ip);
  }
  return ips;
}

/** One element of Logical_Switch_Port.addresses. */
export function parseLspAddress(text: string): Parsed<LspAddress> {
  const errors: AddressProblem[] = [];
  const warnings: AddressProblem[] = [];
  const ws = words(text);
  const [first, ...rest] = ws;
  if (!first) return { errors: [empty('An address entry may not be empty.')], warnings };

  if (first.text === 'unknown' || first.text === 'router') {
    const [extra] = rest;
    if (extra) {
      const message = `\`${first.text}\` must be the whole entry; put other addresses in entries of their own.`;
      errors.push(problem('keyword-not-alone', message, extra));
      return { errors, warnings };
    }
    return { value: { kind: first.text }, errors, warnings };
  }

  if (first.text === 'dynamic') {
    let ipv4: IpAddress | undefined;
    let ipv6: IpAddress | undefined;
    for (const w of rest) {
      const ip = parseIpWithPrefix(w.text, w.offset);
      if (!ip || ip.prefix !== undefined) {
        const message = `\`dynamic\` may be followed only by one IPv4 and/or one IPv6 address; ${w.text} is not one.`;
        errors.push(problem('bad-dynamic', message, w));
        return { errors, warnings };
      }
      if (ip.family === 4) {
        if (ipv4 || ipv6) {
          const why = ipv4 ? 'only one IPv4 address' : 'the IPv4 address before the IPv6 one';
          errors.push(problem('bad-dynamic', `\`dynamic\` takes ${why} ("dynamic IPv4 IPv6").`, w));
          return { errors, warnings };
        }
        ipv4 = ip;
      } else {
        if (ipv6) {
          errors.push(problem('bad-dynamic', '`dynamic` takes only one IPv6 address.', w));
          return { errors, warnings };
        }
        ipv6 = ip;
      }
    }
    const value: LspAddress = { kind: 'dynamic', ...(ipv4 ? { ipv4 } : {}), ...(ipv6 ? { ipv6 } : {}) };
    return { value, errors, warnings };
  }

  const m = mac(first);
  if (!m) {
    const lower = first.text.toLowerCase();
    const hint = ['unknown', 'dynamic', 'router'].includes(lower)
      ? ` Keywords are lower case: \`${lower}\`.`
      : parseIpWithPrefix(first.text)
        ? ' The Ethernet address must come before the IP addresses, in the same entry.'
        : '';
    const message = `An address entry must start with an Ethernet address or be unknown, dynamic or router.${hint}`;
    errors.push(problem('bad-mac', message, first));
    return { errors, warnings };
  }
  macWarnings(m, first, warnings);
  if (rest.length === 1 && rest[0]?.text === 'dynamic') return { value: { kind: 'dynamic', mac: m }, errors, warnings };
  const ips = ipList(rest, errors, warnings, 'addresses');
  return { value: { kind: 'static', mac: m, ips }, errors, warnings };
}

/** One element of Logical_Switch_Port.port_security: "MAC [IP[/PREFIX] …]". */
export function parsePortSecurity(text: string): Parsed<PortSecurityEntry> {
  const errors: AddressProblem[] = [];
  const warnings: AddressProblem[] = [];
  const [first, ...rest] = words(text);
  if (!first) return { errors: [empty('A port_security entry may not be empty.')], warnings };
  if (['unknown', 'dynamic', 'router'].includes(first.text)) {
    const message = `\`${first.text}\` is not allowed in port_security; entries are "MAC [IP/PREFIX …]".`;
    errors.push(problem('keyword-in-port-security', message, first));
    return { errors, warnings };
  }
  const m = mac(first);
  if (!m) {
    errors.push(problem('bad-mac', 'A port_security entry must start with an Ethernet address.', first));
    return { errors, warnings };
  }
  macWarnings(m, first, warnings);
  const ips = ipList(rest, errors, warnings, 'port_security');
  return { value: { mac: m, ips }, errors, warnings };
}
