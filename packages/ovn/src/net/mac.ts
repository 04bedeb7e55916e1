// Ethernet address text forms.

const HEX = /^[0-9a-fA-F]{1,2}$/;

/** Six colon-separated groups of one or two hex digits (OVN also accepts the one-digit form). */
export function parseMac(text: string): bigint | undefined {
  const parts = text.split(':');
  if (parts.length !== 6) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!HEX.test(part)) return undefined;
    value = (value << 8n) | BigInt(Number.parseInt(part, 16));
  }
  return value;
}

export function formatMac(value: bigint): string {
  const out: string[] = [];
  for (let shift = 40; shift >= 0; shift -= 8) {
    out.push(
      Number((value >> BigInt(shift)) & 0xffn)
        .toString(16)
        .padStart(2, '0'),
    );
  }
  return out.join(':');
}

/** The group bit (eth.dst[40] in OVN's numbering): multicast and broadcast addresses. */
export function isMulticastMac(value: bigint): boolean {
  return ((value >> 40n) & 1n) === 1n;
}

/**
 * RFC 5798 virtual router MACs: 00:00:5e:00:01:XX (IPv4 VRIDs) and 00:00:5e:00:02:XX (IPv6 VRIDs). Several ports
 * of one switch may legitimately carry the same one, since the address moves between routers on failover.
 */
export function isVrrpV3Mac(value: bigint): boolean {
  const prefix = value >> 8n;
  return prefix === 0x00005e0001n || prefix === 0x00005e0002n;
}

function hexValue(c: string | undefined): number {
  return c === undefined ? -1 : '0123456789abcdef'.indexOf(c.toLowerCase());
}

/**
 * Reads an Ethernet address the way OVS's `ovs_scan("%hhx:%hhx:%hhx:%hhx:%hhx:%hhx")` does inside OVN's lexer:
 * each group is a strtoull base-16 number (an optional `0x` prefix, any number of digits) truncated to 8 bits.
 * Returns the value and the index just past the sixth group, or undefined when the text does not scan.
 */
export function scanOvsMac(text: string, from = 0): { value: bigint; end: number } | undefined {
  let i = from;
  let value = 0n;
  for (let group = 0; group < 6; group++) {
    if (group > 0) {
      if (text[i] !== ':') return undefined;
      i++;
    }
    if (text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X') && hexValue(text[i + 2]) >= 0) i += 2;
    if (hexValue(text[i]) < 0) return undefined;
    let n = 0;
    while (hexValue(text[i]) >= 0) {
      n = (n * 16 + hexValue(text[i])) % 256;
      i++;
    }
    value = (value << 8n) | BigInt(n);
  }
  return { value, end: i };
}
