/**
 * A TCP proxy on 127.0.0.1 for fault tests: it sits between the gateway and ovsdb-server and, on command,
 * stalls (stops forwarding in both directions, as a frozen network path does: the kernel buffers fill and
 * nobody gets an error) or cuts the connection after a number of bytes from the server, in the middle of
 * whatever frame those bytes belong to. New connections keep being accepted, so the gateway can reconnect
 * through it.
 */
import net from 'node:net';

interface Pair {
  /** The gateway's side. */
  down: net.Socket;
  /** The server's side. */
  up: net.Socket;
}

export interface ProxyStats {
  connections: number;
  /** Bytes forwarded server → gateway and gateway → server. */
  bytesDown: number;
  bytesUp: number;
  cuts: number;
}

export class TcpProxy {
  readonly stats: ProxyStats = { connections: 0, bytesDown: 0, bytesUp: 0, cuts: 0 };
  private readonly pairs = new Set<Pair>();
  private stalled = false;
  /** Armed by `cutAfter`: server → gateway bytes still allowed through before the cut. */
  private cut: { left: number; marker?: Buffer; done: () => void } | undefined;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  /** Listen on an ephemeral loopback port and forward to `target` (a `tcp:HOST:PORT` remote). */
  static async start(target: string): Promise<TcpProxy> {
    const m = /^tcp:([^:]+):(\d+)$/.exec(target);
    if (!m) throw new Error(`TcpProxy needs a tcp:HOST:PORT target, got ${target}`);
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const proxy = new TcpProxy(server, (server.address() as net.AddressInfo).port, {
      host: m[1] as string,
      port: Number(m[2]),
    });
    server.on('connection', (down) => proxy.accept(down));
    return proxy;
  }

  /** The remote to give the gateway. */
  get remote(): string {
    return `tcp:127.0.0.1:${this.port}`;
  }

  get openConnections(): number {
    return this.pairs.size;
  }

  private accept(down: net.Socket): void {
    this.stats.connections++;
    const up = net.connect(this.target.port, this.target.host);
    const pair: Pair = { down, up };
    this.pairs.add(pair);
    if (this.stalled) {
      down.pause();
      up.pause();
    }
    const close = (): void => {
      if (!this.pairs.delete(pair)) return;
      down.destroy();
      up.destroy();
    };
    down.on('data', (chunk: Buffer) => {
      this.stats.bytesUp += chunk.length;
      if (!up.write(chunk)) down.pause();
    });
    up.on('drain', () => !this.stalled && down.resume());
    up.on('data', (chunk: Buffer) => this.fromServer(pair, chunk));
    down.on('drain', () => !this.stalled && up.resume());
    for (const s of [down, up]) {
      s.on('error', close);
      s.on('close', close);
      s.on('end', close);
    }
  }

  private fromServer(pair: Pair, chunk: Buffer): void {
    const cut = this.cut;
    if (cut?.marker) {
      // Count from the marker on: the bytes after it belong to the frame that carries it.
      const at = chunk.indexOf(cut.marker);
      if (at < 0) {
        this.forward(pair, chunk);
        return;
      }
      cut.left += at + cut.marker.length;
      delete cut.marker;
    }
    if (cut && chunk.length >= cut.left) {
      // Forward exactly the allowed bytes, then drop both sides: the gateway sees a frame end mid-way.
      const part = chunk.subarray(0, cut.left);
      this.cut = undefined;
      this.stats.cuts++;
      this.stats.bytesDown += part.length;
      this.pairs.delete(pair);
      pair.up.destroy();
      pair.down.write(part, () => {
        pair.down.destroy();
        cut.done();
      });
      return;
    }
    if (cut) cut.left -= chunk.length;
    this.forward(pair, chunk);
  }

  private forward(pair: Pair, chunk: Buffer): void {
    this.stats.bytesDown += chunk.length;
    if (!pair.down.write(chunk)) pair.up.pause();
  }

  /** Stop forwarding on every connection, present and future, until `resume`. */
  stall(): void {
    this.stalled = true;
    for (const { down, up } of this.pairs) {
      down.pause();
      up.pause();
    }
  }

  resume(): void {
    this.stalled = false;
    for (const { down, up } of this.pairs) {
      down.resume();
      up.resume();
    }
  }

  /**
   * Let `bytes` more bytes through from the server, then cut that connection in the middle of its stream;
   * with `marker`, count from the end of the first occurrence of that text, so the cut falls inside the
   * frame that carries it. Resolves once the cut happened (or rejects after `timeoutMs`).
   */
  cutAfter(bytes: number, opts: { marker?: string; timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? 15_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.cut = undefined;
        reject(new Error(`TcpProxy: ${bytes} bytes did not come within ${timeoutMs} ms`));
      }, timeoutMs);
      this.cut = {
        left: bytes,
        ...(opts.marker !== undefined ? { marker: Buffer.from(opts.marker) } : {}),
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }

  /** Drop every connection now (both sides see the connection closed). */
  dropAll(): void {
    for (const p of [...this.pairs]) {
      this.pairs.delete(p);
      p.down.destroy();
      p.up.destroy();
    }
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
