/**
 * Dial one remote and hand back a connected byte stream. Reconnecting, remote lists and leader choice
 * belong to callers; this only turns a `Remote` into a `Duplex` or a `ConnectError`.
 */
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { formatRemote, type Remote } from './remote.js';

/** A PEM string, a Buffer of PEM, or a path to a PEM file. */
export type PemSource = string | Buffer;

export interface TlsOptions {
  /** Client private key (ovsdb-server's `pssl:` asks for a client certificate by default). */
  key?: PemSource;
  cert?: PemSource;
  /** CA that signed the server's certificate; without it Node's bundled public roots are used. */
  ca?: PemSource;
}

export interface OpenStreamOptions {
  tls?: TlsOptions;
  signal?: AbortSignal;
  /** Gives up if the connection (including the TLS handshake) is not up within this many ms. */
  timeoutMs?: number;
}

export type ConnectFailure = 'error' | 'timeout' | 'aborted';

export class ConnectError extends Error {
  override readonly name = 'ConnectError';
  constructor(
    readonly remote: Remote,
    /** 'aborted' is the caller's own doing; the others are worth trying the next remote for. */
    readonly failure: ConnectFailure,
    override readonly cause: unknown,
  ) {
    super(`cannot connect to ${formatRemote(remote)}: ${describeCause(failure, cause)}`, { cause });
  }
}

function describeCause(failure: ConnectFailure, cause: unknown): string {
  if (failure === 'timeout') return 'timed out';
  if (failure === 'aborted') return 'aborted';
  return cause instanceof Error ? cause.message : String(cause);
}

export async function openStream(remote: Remote, opts: OpenStreamOptions = {}): Promise<Duplex> {
  const { signal, timeoutMs } = opts;
  if (signal?.aborted) throw new ConnectError(remote, 'aborted', signal.reason);

  let socket: net.Socket;
  let readyEvent: 'connect' | 'secureConnect';
  if (remote.kind === 'unix') {
    socket = net.connect({ path: remote.path });
    readyEvent = 'connect';
  } else if (remote.kind === 'tcp') {
    socket = net.connect({ host: remote.host, port: remote.port });
    readyEvent = 'connect';
  } else {
    let material: { key?: Buffer; cert?: Buffer; ca?: Buffer };
    try {
      material = await loadTlsMaterial(opts.tls ?? {});
    } catch (err) {
      throw new ConnectError(remote, 'error', err);
    }
    if (signal?.aborted) throw new ConnectError(remote, 'aborted', signal.reason);
    socket = tls.connect({
      host: remote.host,
      port: remote.port,
      // SNI must not carry an IP literal (RFC 6066 §3); Node warns if it does.
      ...(net.isIP(remote.host) ? {} : { servername: remote.host }),
      ...material,
      // The chain is still verified against `ca` (rejectUnauthorized stays on). Only the name check is
      // skipped: certificates issued by `ovs-pki` carry a CN like "ovsdb-server id:<uuid>" or a switch
      // name, never the host's DNS name or IP, so checking it would reject every stock OVS deployment.
      // Trust therefore rests on the CA alone, which is how ovs-vsctl/ovn-nbctl behave too.
      checkServerIdentity: () => undefined,
    });
    readyEvent = 'secureConnect';
  }

  return new Promise<Duplex>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      socket.off(readyEvent, onReady);
      socket.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (failure: ConnectFailure, cause: unknown): void => {
      cleanup();
      socket.destroy();
      reject(new ConnectError(remote, failure, cause));
    };
    const onReady = (): void => {
      cleanup();
      // OVSDB is request/response with small messages; Nagle would hold each one back waiting for an ACK.
      if (remote.kind !== 'unix') socket.setNoDelay(true);
      resolve(socket);
    };
    const onError = (err: Error): void => fail('error', err);
    const onAbort = (): void => fail('aborted', signal?.reason);
    socket.once(readyEvent, onReady);
    socket.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) timer = setTimeout(() => fail('timeout', undefined), timeoutMs);
  });
}

async function loadTlsMaterial(t: TlsOptions): Promise<{ key?: Buffer; cert?: Buffer; ca?: Buffer }> {
  const out: { key?: Buffer; cert?: Buffer; ca?: Buffer } = {};
  const [key, cert, ca] = await Promise.all([loadPem(t.key), loadPem(t.cert), loadPem(t.ca)]);
  if (key) out.key = key;
  if (cert) out.cert = cert;
  if (ca) out.ca = ca;
  return out;
}

async function loadPem(src: PemSource | undefined): Promise<Buffer | undefined> {
  if (src === undefined) return undefined;
  if (typeof src !== 'string') return src;
  // PEM text always contains its armour line; a path never plausibly does.
  if (src.includes('-----BEGIN ')) return Buffer.from(src);
  return readFile(src);
}
