// IPv4 text forms, parsed the way the OVN tools on this machine parse them (glibc inet_pton), so that what we
// accept here is exactly what ovn-controller and ovn-northd accept.

/**
 * Parses a dotted quad as glibc's `inet_pton(AF_INET)` does: exactly four decimal octets, each 0–255, and no
 * leading zeros (glibc rejects `010.0.0.1` rather than reading it as octal).
 */
export function parseIpv4(text: string): bigint | undefined {
  let value = 0;
  let octets = 0;
  let current = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (current === 0) return undefined;
      current = current < 0 ? c - 0x30 : current * 10 + (c - 0x30);
      if (current > 255) return undefined;
      if (i === 0 || text[i - 1] === '.') octets++;
    } else if (c === 0x2e && current >= 0) {
      if (octets === 4) return undefined;
      value = value * 256 + current;
      current = -1;
    } else {
      return undefined;
    }
  }
  if (octets !== 4 || current < 0) return undefined;
  return BigInt(value * 256 + current);
}

export function formatIpv4(value: bigint): string {
  const n = Number(value & 0xffffffffn);
  return [24, 16, 8, 0].map((shift) => String(Math.floor(n / 2 ** shift) % 256)).join('.');
}

/** The netmask of an IPv4 prefix length, e.g. 24 → 0xffffff00. */
export function ipv4PrefixMask(prefix: number): bigint {
  return prefix <= 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(32 - prefix);
}
