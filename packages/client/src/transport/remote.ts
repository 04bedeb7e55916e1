/**
 * OVS remote syntax (ovsdb-server(1), "Database connection methods"), active forms only: a client dials
 * out, so the passive `punix:`/`ptcp:`/`pssl:` forms a server listens on are refused with a pointed
 * message rather than a generic one, since passing the server's own `--remote` value is an easy slip.
 */

export type Remote = { kind: 'unix'; path: string } | { kind: 'tcp' | 'ssl'; host: string; port: number };

/** ovsdb-server's IANA-assigned port, which OVS uses when a `tcp:`/`ssl:` remote omits one. */
export const DEFAULT_OVSDB_PORT = 6640;

export class RemoteSyntaxError extends Error {
  override readonly name = 'RemoteSyntaxError';
  constructor(
    /** The whole string given to `parseRemotes`. */
    readonly input: string,
    /** The comma-separated part that failed. */
    readonly part: string,
    reason: string,
  ) {
    super(`invalid OVSDB remote ${JSON.stringify(part)}: ${reason}`);
  }
}

const PASSIVE = new Set(['punix', 'ptcp', 'pssl']);

/** Parse one remote or a comma-separated list of them (`tcp:a:6641,tcp:b:6641`). */
export function parseRemotes(input: string): Remote[] {
  const parts = input.split(',').map((p) => p.trim());
  if (parts.length === 1 && parts[0] === '') throw new RemoteSyntaxError(input, input, 'empty remote');
  return parts.map((part) => parseOne(input, part));
}

/** Parse exactly one remote; a list is an error here. */
export function parseRemote(input: string): Remote {
  const all = parseRemotes(input);
  if (all.length !== 1) throw new RemoteSyntaxError(input, input, 'expected a single remote, got a list');
  return all[0] as Remote;
}

function parseOne(input: string, part: string): Remote {
  const fail = (reason: string): never => {
    throw new RemoteSyntaxError(input, part, reason);
  };
  if (part === '') fail('empty entry in remote list');
  const colon = part.indexOf(':');
  if (colon < 0) fail('expected "unix:PATH", "tcp:HOST:PORT" or "ssl:HOST:PORT"');
  const scheme = part.slice(0, colon);
  const rest = part.slice(colon + 1);
  if (PASSIVE.has(scheme)) {
    fail(`"${scheme}:" is a listening (passive) remote for a server; a client needs "${scheme.slice(1)}:"`);
  }
  switch (scheme) {
    case 'unix':
      if (rest === '') fail('missing socket path');
      return { kind: 'unix', path: rest };
    case 'tcp':
    case 'ssl': {
      const { host, port } = parseHostPort(rest, fail);
      return { kind: scheme, host, port };
    }
    default:
      return fail(`unknown method "${scheme}:" (expected unix, tcp or ssl)`);
  }
}

function parseHostPort(text: string, fail: (reason: string) => never): { host: string; port: number } {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) fail('unterminated "[" in IPv6 address');
    host = text.slice(1, close);
    const after = text.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) fail(`unexpected ${JSON.stringify(after)} after "]"`);
      portText = after.slice(1);
    }
    if (!host.includes(':')) fail(`${JSON.stringify(host)} in brackets is not an IPv6 address`);
  } else {
    const colons = text.split(':').length - 1;
    // A bare IPv6 address would make the port ambiguous, which is why OVS wants brackets.
    if (colons > 1) fail('IPv6 addresses must be written in brackets, e.g. "tcp:[::1]:6641"');
    const colon = text.indexOf(':');
    host = colon < 0 ? text : text.slice(0, colon);
    portText = colon < 0 ? undefined : text.slice(colon + 1);
  }
  if (host === '') fail('missing host');
  if (portText === undefined) return { host, port: DEFAULT_OVSDB_PORT };
  if (!/^\d{1,5}$/.test(portText)) fail(`port ${JSON.stringify(portText)} is not a number`);
  const port = Number(portText);
  // Port 0 only makes sense when listening (the kernel picks one); nothing can be dialled there.
  if (port < 1 || port > 65535) fail(`port ${port} is out of range 1-65535`);
  return { host, port };
}

/** Inverse of `parseRemote`: IPv6 hosts get their brackets back. */
export function formatRemote(r: Remote): string {
  if (r.kind === 'unix') return `unix:${r.path}`;
  const host = r.host.includes(':') ? `[${r.host}]` : r.host;
  return `${r.kind}:${host}:${r.port}`;
}

export function formatRemotes(rs: readonly Remote[]): string {
  return rs.map(formatRemote).join(',');
}
