/**
 * Helpers that write RFC 7047 wire notation directly. The generators emit plain operations (what
 * `transact` sends) rather than going through `TransactionBuilder`, because building 30k rows through typed
 * values and back would make the generator, not the server, the thing a benchmark measures.
 */
import type { Operation, WireAtom, WireDatum, WireMap, WireNamedUuid, WireSet } from '@ovsdb-web/client';

export function set(items: readonly WireAtom[]): WireSet {
  return ['set', [...items]];
}

export function map(entries: Readonly<Record<string, string>>): WireMap {
  return ['map', Object.entries(entries)];
}

export function named(name: string): WireNamedUuid {
  return ['named-uuid', name];
}

/** One datum for an optional (min 0, max 1) column: the empty set when absent. */
export function optional(value: WireAtom | undefined): WireDatum {
  return value ?? ['set', []];
}

/** Operations that must travel in one transaction (e.g. an insert and the reference that keeps it alive). */
export interface OpGroup {
  ops: Operation[];
  /**
   * Groups of a later phase mutate rows that groups of an earlier phase insert, so a loader must not start
   * them before the earlier phases have committed.
   */
  phase: number;
}

export interface Batches {
  batches: Operation[][];
  /** Indexes of batches that must wait until every earlier batch has committed. */
  barriers: number[];
}

/**
 * Packs groups into transactions of at most `maxOps` operations without splitting a group (a group larger
 * than `maxOps` gets a transaction of its own). Groups are taken phase by phase, keeping their order within
 * a phase, and every phase after the first starts a new batch that is marked as a barrier.
 */
export function packGroups(groups: readonly OpGroup[], maxOps: number): Batches {
  const phases = [...new Set(groups.map((g) => g.phase))].sort((a, b) => a - b);
  const batches: Operation[][] = [];
  const barriers: number[] = [];
  for (const phase of phases) {
    if (batches.length > 0) barriers.push(batches.length);
    let current: Operation[] = [];
    for (const g of groups) {
      if (g.phase !== phase) continue;
      if (current.length > 0 && current.length + g.ops.length > maxOps) {
        batches.push(current);
        current = [];
      }
      for (const op of g.ops) current.push(op);
    }
    if (current.length > 0) batches.push(current);
  }
  return { batches, barriers };
}

// ---- IPv4 / MAC -----------------------------------------------------------------------------------

export function ipv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function parseIpv4(text: string): number {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${text}`);
  }
  const [a, b, c, d] = parts as [number, number, number, number];
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** `a.b.c.d/len` as its first address and size. */
export function parseCidr(text: string): { base: number; size: number } {
  const [addr, len] = text.split('/');
  const bits = Number(len);
  if (addr === undefined || !Number.isInteger(bits) || bits < 8 || bits > 32)
    throw new Error(`not an IPv4 CIDR: ${text}`);
  const size = 2 ** (32 - bits);
  const base = parseIpv4(addr);
  return { base: base - (base % size), size };
}

/** ovn-kubernetes derives a pod's MAC from its IP: 0a:58 followed by the four address bytes. */
export function macForIp(n: number): string {
  const hex = (b: number): string => b.toString(16).padStart(2, '0');
  return `0a:58:${hex((n >>> 24) & 255)}:${hex((n >>> 16) & 255)}:${hex((n >>> 8) & 255)}:${hex(n & 255)}`;
}

/** A MAC in the locally administered range, numbered (for router ports and bridges). */
export function localMac(prefix: number, n: number): string {
  const hex = (b: number): string => b.toString(16).padStart(2, '0');
  return `0a:${hex(prefix & 255)}:${hex((n >>> 24) & 255)}:${hex((n >>> 16) & 255)}:${hex((n >>> 8) & 255)}:${hex(n & 255)}`;
}
