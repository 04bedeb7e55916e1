import assert from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConnectError, openStream } from './connect.js';
import type { Remote } from './remote.js';

let dir: string;
const servers: net.Server[] = [];

function listen(server: net.Server, where: string | number): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => {
    if (typeof where === 'string') server.listen(where, () => resolve(0));
    else server.listen(where, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** A CA plus leaf certificates whose CNs look like ovs-pki's: identities, not host names. */
function makePki(): void {
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'otherca']) {
    ssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.crt`,
      '-subj',
      `/CN=${ca} test authority`,
      '-days',
      '2',
    );
  }
  const leaf = (name: string, cn: string): void => {
    ssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
    );
  };
  leaf('server', 'ovsdb-server id:5a1f0c1e');
  leaf('client', 'ovn-controller chassis-7');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'connect-'));
  makePki();
});

afterAll(() => {
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function roundTrip(stream: import('node:stream').Duplex): Promise<string> {
  stream.write('ping');
  const reply = await new Promise<string>((r) => stream.once('data', (c: Buffer) => r(c.toString())));
  stream.destroy();
  return reply;
}

const echoServer = (): net.Server => net.createServer((s) => s.on('data', (c) => s.write(`echo:${c.toString()}`)));

describe('openStream over unix and tcp', () => {
  it('connects to a unix socket', async () => {
    const path = join(dir, 'echo.sock');
    await listen(echoServer(), path);
    expect(await roundTrip(await openStream({ kind: 'unix', path }))).toBe('echo:ping');
  });

  it('connects over tcp with Nagle disabled', async () => {
    const port = await listen(echoServer(), 0);
    // Node has no getter for TCP_NODELAY, so watch the call instead.
    const spy = vi.spyOn(net.Socket.prototype, 'setNoDelay');
    try {
      const s = await openStream({ kind: 'tcp', host: '127.0.0.1', port });
      expect(spy.mock.contexts).toContain(s);
      expect(spy.mock.calls).toContainEqual([true]);
      expect(await roundTrip(s)).toBe('echo:ping');
    } finally {
      spy.mockRestore();
    }
  });

  it('fails with ConnectError naming the remote for a missing unix socket', async () => {
    const remote: Remote = { kind: 'unix', path: join(dir, 'absent.sock') };
    const err = await openStream(remote).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    const e = err as ConnectError;
    expect(e.remote).toBe(remote);
    expect(e.failure).toBe('error');
    expect((e.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
    expect(e.message).toContain(`cannot connect to unix:${remote.path}`);
  });

  it('fails with ConnectError when tcp is refused', async () => {
    const probe = net.createServer();
    const port = await new Promise<number>((r) =>
      probe.listen(0, '127.0.0.1', () => r((probe.address() as net.AddressInfo).port)),
    );
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await openStream({ kind: 'tcp', host: '127.0.0.1', port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(((err as ConnectError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });
});

describe('openStream timeouts and aborts', () => {
  // A tcp listener that never speaks: the TLS handshake on it can only hang.
  let silentPort: number;
  beforeAll(async () => {
    silentPort = await listen(
      net.createServer(() => undefined),
      0,
    );
  });

  it('times out a hanging TLS handshake', async () => {
    const err = await openStream({ kind: 'ssl', host: '127.0.0.1', port: silentPort }, { timeoutMs: 100 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).failure).toBe('timeout');
    expect((err as ConnectError).message).toBe(`cannot connect to ssl:127.0.0.1:${silentPort}: timed out`);
  });

  it('aborts while connecting and when already aborted', async () => {
    const ac = new AbortController();
    const p = openStream({ kind: 'ssl', host: '127.0.0.1', port: silentPort }, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('shutting down')), 20);
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).failure).toBe('aborted');
    expect(((err as ConnectError).cause as Error).message).toBe('shutting down');
    const pre = await openStream(
      { kind: 'tcp', host: '127.0.0.1', port: silentPort },
      { signal: AbortSignal.abort() },
    ).catch((e: unknown) => e);
    expect((pre as ConnectError).failure).toBe('aborted');
  });
});

describe('openStream over ssl', () => {
  let port: number;
  const peerNames: string[] = [];
  beforeAll(async () => {
    const server = tls.createServer(
      {
        key: readFileSync(join(dir, 'server.key')),
        cert: readFileSync(join(dir, 'server.crt')),
        ca: readFileSync(join(dir, 'ca.crt')),
        // ovsdb-server's pssl: insists on a client certificate from the same CA.
        requestCert: true,
        rejectUnauthorized: true,
      },
      (s) => {
        peerNames.push(String(s.getPeerCertificate().subject?.CN));
        s.on('data', (c: Buffer) => s.write(`tls:${c.toString()}`));
      },
    );
    port = await listen(server, 0);
  });

  it('verifies the chain but not the host name, with files given as paths', async () => {
    const s = await openStream(
      { kind: 'ssl', host: 'localhost', port },
      { tls: { key: join(dir, 'client.key'), cert: join(dir, 'client.crt'), ca: join(dir, 'ca.crt') } },
    );
    assert(s instanceof tls.TLSSocket);
    expect(s.authorized).toBe(true);
    expect(s.getPeerCertificate().subject?.CN).toBe('ovsdb-server id:5a1f0c1e');
    expect(await roundTrip(s)).toBe('tls:ping');
    expect(peerNames).toContain('ovn-controller chassis-7');
  });

  it('accepts PEM given as strings and Buffers, and an IP host', async () => {
    const s = await openStream(
      { kind: 'ssl', host: '127.0.0.1', port },
      {
        tls: {
          key: readFileSync(join(dir, 'client.key'), 'utf8'),
          cert: readFileSync(join(dir, 'client.crt')),
          ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
        },
      },
    );
    expect(await roundTrip(s)).toBe('tls:ping');
  });

  it('rejects a server certificate from another CA', async () => {
    const err = await openStream(
      { kind: 'ssl', host: '127.0.0.1', port },
      { tls: { key: join(dir, 'client.key'), cert: join(dir, 'client.crt'), ca: join(dir, 'otherca.crt') } },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).failure).toBe('error');
    expect(String(((err as ConnectError).cause as NodeJS.ErrnoException).code)).toMatch(
      /UNABLE_TO_VERIFY|SELF_SIGNED|CERT/,
    );
  });

  it('reports an unreadable key file as a ConnectError', async () => {
    const err = await openStream(
      { kind: 'ssl', host: '127.0.0.1', port },
      { tls: { key: join(dir, 'nope.key') } },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(((err as ConnectError).cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });
});
