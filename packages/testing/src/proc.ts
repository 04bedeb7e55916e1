// Low-level process plumbing shared by the standalone and cluster harnesses:
// running CLI tools, owning long-lived daemons, discovering their listening
// ports and making sure nothing outlives the test process.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { readFile, readdir, readlink } from 'node:fs/promises';
import net from 'node:net';

export interface RunOptions {
  /** Kill the tool after this long; a wedged server must not hang a test. Default 15 s. */
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** A CLI tool exited non-zero (or was killed); carries its output for diagnosis. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly signal: string | null,
    readonly stdout: string,
    readonly stderr: string,
    cause?: unknown,
  ) {
    const how = signal !== null ? `killed by ${signal}` : `exit code ${String(exitCode)}`;
    super(`${command} failed (${how}): ${stderr.trim() || stdout.trim() || String(cause)}`);
    this.name = 'CommandError';
  }
}

/** Runs a program to completion and resolves with its stdout. */
export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      [...args],
      {
        timeout: opts.timeoutMs ?? 15_000,
        cwd: opts.cwd,
        env: opts.env,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err === null) {
          resolve(stdout);
          return;
        }
        const exitCode = typeof err.code === 'number' ? err.code : null;
        const signal = typeof err.signal === 'string' ? err.signal : null;
        reject(new CommandError([file, ...args].join(' '), exitCode, signal, stdout, stderr, err));
      },
    );
  });
}

// ---------------------------------------------------------------------------
// Daemon ownership and emergency cleanup

const liveDaemons = new Set<Daemon>();
const liveDirs = new Set<string>();
let exitHookInstalled = false;

// If a test forgets stop() or the worker exits abruptly, orphaned
// ovsdb-servers would keep ports and temp dirs forever. 'exit' handlers must
// be synchronous, so this can only SIGKILL and rmSync.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of liveDaemons) {
      try {
        process.kill(d.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    for (const dir of liveDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // Best effort: nothing useful can be done while exiting.
      }
    }
  });
}

/** Remember a temp dir so the exit hook can remove it if stop() never runs. */
export function registerDir(dir: string): void {
  installExitHook();
  liveDirs.add(dir);
}

export function unregisterDir(dir: string): void {
  liveDirs.delete(dir);
}

export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A foreground child we own by pid (no --detach, so there is no double fork to chase). */
export class Daemon {
  readonly pid: number;
  readonly exited: Promise<DaemonExit>;
  private exitInfo: DaemonExit | undefined;

  private constructor(child: ChildProcess, pid: number) {
    this.pid = pid;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        liveDaemons.delete(this);
        resolve(this.exitInfo);
      });
    });
  }

  /**
   * Spawns `file args`, sending stdout/stderr to `outputFile`. A file rather
   * than a pipe: an unread pipe would eventually block the server on write,
   * and a file survives for post-mortem reading.
   */
  static spawn(file: string, args: readonly string[], outputFile: string): Daemon {
    installExitHook();
    const fd = openSync(outputFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(file, [...args], { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    // Spawn failures (ENOENT, ...) arrive as an 'error' event; without a
    // listener they would crash the test process instead of failing a test.
    child.on('error', () => undefined);
    if (child.pid === undefined) {
      throw new Error(`failed to spawn ${file}`);
    }
    // Do not keep the event loop alive just because a server runs; the exit
    // hook reaps it if the owner forgets.
    child.unref();
    const d = new Daemon(child, child.pid);
    liveDaemons.add(d);
    return d;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  get exitStatus(): DaemonExit | undefined {
    return this.exitInfo;
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.running) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      // Raced with exit.
    }
  }

  /** SIGTERM, wait up to graceMs, then SIGKILL; resolves once the pid is reaped. */
  async terminate(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGTERM');
    // A SIGSTOPped process would sit on the pending SIGTERM forever.
    this.signal('SIGCONT');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      await this.kill();
    }
  }

  /** SIGKILL and wait for the pid to be reaped. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.signal('SIGKILL');
    await this.exited;
  }
}

// ---------------------------------------------------------------------------
// Port discovery

/**
 * TCP ports a process is listening on, from /proc: map the pid's socket fds
 * to inodes, then pick LISTEN rows of /proc/<pid>/net/tcp{,6} with those
 * inodes. Unlike the "listening on port N" log line, this works for explicit
 * ports too and never reads stale lines from a previous run in the same log.
 */
export async function listeningPorts(pid: number): Promise<Set<number>> {
  const inodes = new Set<string>();
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`));
      if (m?.[1] !== undefined) inodes.add(m[1]);
    } catch {
      // fd closed while we were looking.
    }
  }
  const ports = new Set<number>();
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = await readFile(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue; // e.g. IPv6 disabled
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      const state = cols[3];
      const inode = cols[9];
      // State 0A is TCP_LISTEN.
      if (local === undefined || state !== '0A' || inode === undefined || !inodes.has(inode)) continue;
      ports.add(Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
    }
  }
  return ports;
}

/**
 * A currently free TCP port on `host`, found by binding port 0 and closing.
 * Another process may grab it before the caller binds it (a small race the
 * callers accept and handle by retrying); needed where port 0 cannot be
 * used, e.g. RAFT addresses, which must be known before the server starts.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  let lastErr: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await new Promise<number>((resolve, reject) => {
        const srv = net.createServer();
        srv.unref();
        srv.once('error', reject);
        srv.listen(0, host, () => {
          const addr = srv.address();
          if (addr !== null && typeof addr === 'object') {
            const { port } = addr;
            srv.close(() => resolve(port));
          } else {
            srv.close(() => reject(new Error('listen on port 0 returned no port')));
          }
        });
      });
    } catch (err) {
      lastErr = err;
    }
  }
  throw new Error(`could not find a free port on ${host}: ${String(lastErr)}`);
}

// ---------------------------------------------------------------------------
// Polling

/** Thrown from a waitFor probe to give up immediately instead of retrying. */
export class StopWaiting extends Error {
  override name = 'StopWaiting';
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Describes the awaited condition in the timeout error. */
  what?: string;
}

/**
 * Polls `probe` until it returns something other than undefined/false.
 * Errors thrown by the probe count as "not yet" (servers are often simply not
 * up), except StopWaiting which aborts. The last error is reported on timeout.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  opts: WaitOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      if (err instanceof StopWaiting) throw err;
      lastErr = err;
    }
    if (Date.now() >= deadline) {
      const why = lastErr instanceof Error ? `; last error: ${lastErr.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.what ?? 'condition'}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Last `lines` lines of a file, or '' if it does not exist (yet). */
export async function tailFile(path: string, lines = 40): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text
      .split('\n')
      .slice(-lines - 1)
      .join('\n');
  } catch {
    return '';
  }
}
