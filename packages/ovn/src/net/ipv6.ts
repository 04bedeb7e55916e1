// IPv6 text forms, parsed as glibc's inet_pton(AF_INET6) does (OVN's lexer and address parsers call it).
import { parseIpv4 } from './ipv4.js';

function hexDigit(c: string | undefined): number {
  if (c === undefined) return -1;
  const code = c.charCodeAt(0);
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

/**
 * Parses an IPv6 address: up to eight groups of 1–4 hex digits, one `::`, and an optional trailing dotted quad
 * in place of the last two groups. No zone (`%eth0`) and no prefix length.
 */
export function parseIpv6(text: string): bigint | undefined {
  const groups: number[] = [];
  let gap = -1;
  let i = 0;
  if (text.length === 0) return undefined;
  if (text.startsWith(':')) {
    if (text[1] !== ':') return undefined;
    i = 1;
  }
  let groupStart = i;
  let digits = 0;
  let val = 0;
  while (i < text.length) {
    const ch = text[i] ?? '';
    i++;
    const d = hexDigit(ch);
    if (d >= 0) {
      if (digits === 4) return undefined;
      val = val * 16 + d;
      digits++;
      continue;
    }
    if (ch === ':') {
      groupStart = i;
      if (digits === 0) {
        if (gap >= 0) return undefined;
        gap = groups.length;
        continue;
      }
      if (i === text.length) return undefined;
      if (groups.length >= 8) return undefined;
      groups.push(val);
      digits = 0;
      val = 0;
      continue;
    }
    if (ch === '.' && groups.length <= 6) {
      const v4 = parseIpv4(text.slice(groupStart));
      if (v4 === undefined) return undefined;
      groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      digits = 0;
      break;
    }
    return undefined;
  }
  if (digits > 0) {
    if (groups.length >= 8) return undefined;
    groups.push(val);
  }
  if (gap >= 0) {
    if (groups.length === 8) return undefined;
    groups.splice(gap, 0, ...new Array<number>(8 - groups.length).fill(0));
  }
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** RFC 5952 text: lowercase, the longest run of two or more zero groups shortened to `::`. */
export function formatIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let shift = 112; shift >= 0; shift -= 16) groups.push(Number((value >> BigInt(shift)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let s = 0; s < 8;) {
    if (groups[s] !== 0) {
      s++;
      continue;
    }
    let e = s;
    while (e < 8 && groups[e] === 0) e++;
    if (e - s > bestLen) {
      bestStart = s;
      bestLen = e - s;
    }
    s = e;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** The netmask of an IPv6 prefix length. */
export function ipv6PrefixMask(prefix: number): bigint {
  return prefix <= 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(128 - prefix);
}
