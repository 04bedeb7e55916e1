/**
 * The order in which ovsdb-server visits the members of a JSON object or the columns of a table.
 *
 * ovsdb-server keeps both in string hash maps and walks them in hash-bucket order, and several of its
 * replies depend on that order: which of two invalid columns of a row it reports, which unexpected
 * member of an operation it names, which of a row's columns it checks first at commit. To give the same
 * answers we reproduce the order: the 32-bit string hash OVS uses on x86-64 without SSE 4.2 (a
 * MurmurHash3-style mix over little-endian words, finished with the byte length) and the bucket layout of
 * its hash map (a chained table whose size doubles as it fills, new entries at the head of their bucket).
 */

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

function mixIn(hash: number, data: number): number {
  if (data === 0) return hash;
  let d = Math.imul(data, 0xcc9e2d51) >>> 0;
  d = rotl(d, 15);
  d = Math.imul(d, 0x1b873593) >>> 0;
  return (hash ^ d) >>> 0;
}

function addWord(hash: number, data: number): number {
  const h = rotl(mixIn(hash, data), 13);
  return (Math.imul(h, 5) + 0xe6546b64) >>> 0;
}

function finish(hash: number): number {
  let h = hash;
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const encoder = new TextEncoder();
const hashes = new Map<string, number>();

/** OVS's hash of a string (basis 0), as its string hash maps compute it. */
export function ovsStringHash(s: string): number {
  let cached = hashes.get(s);
  if (cached !== undefined) return cached;
  const b = encoder.encode(s);
  let h = 0;
  let i = 0;
  for (; i + 4 <= b.length; i += 4) {
    h = addWord(
      h,
      ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24)) >>>
        0,
    );
  }
  if (i < b.length) {
    let tail = 0;
    for (let j = 0; i + j < b.length; j++) tail |= (b[i + j] as number) << (8 * j);
    h = addWord(h, tail >>> 0);
  }
  cached = finish((h ^ b.length) >>> 0);
  if (hashes.size < 10_000) hashes.set(s, cached);
  return cached;
}

/** Bucket mask for a map holding `n` entries, as the hash map sizes itself. */
function maskFor(n: number): number {
  let m = Math.floor(n / 2);
  m |= m >> 1;
  m |= m >> 2;
  m |= m >> 4;
  m |= m >> 8;
  m |= m >> 16;
  return m | ((m & 1) << 1);
}

const orders = new Map<string, readonly string[]>();

/**
 * The iteration order of a string-keyed hash map into which `keys` were inserted in this order. The
 * same few key lists (operation members, the columns a client sets) recur, so results are remembered.
 */
export function hashOrder(keys: readonly string[]): readonly string[] {
  if (keys.length < 2) return keys;
  const id = keys.join('\u0000');
  let cached = orders.get(id);
  if (cached === undefined) {
    cached = computeOrder(keys);
    if (orders.size > 5000) orders.clear();
    orders.set(id, cached);
  }
  return cached;
}

function computeOrder(keys: readonly string[]): string[] {
  let mask = 0;
  let buckets: { key: string; hash: number }[][] = [[]];
  let n = 0;
  for (const key of keys) {
    const hash = ovsStringHash(key);
    (buckets[hash & mask] as { key: string; hash: number }[]).unshift({ key, hash });
    n++;
    if (Math.floor(n / 2) > mask) {
      const next = maskFor(n);
      if (next > mask) {
        const grown: { key: string; hash: number }[][] = Array.from({ length: next + 1 }, () => []);
        for (const bucket of buckets)
          for (const node of bucket) (grown[node.hash & next] as { key: string; hash: number }[]).unshift(node);
        buckets = grown;
        mask = next;
      }
    }
  }
  const out: string[] = [];
  for (const bucket of buckets) for (const node of bucket) out.push(node.key);
  return out;
}

/**
 * The order in which ovsdb-server visits a table's columns (`_uuid` and `_version` included), given the
 * column names in the order the schema text lists them. The schema passes through `ovsdb-tool create`,
 * which parses it and writes it back into the database file, before the server parses it again; each
 * step re-orders the names, and all are reproduced here.
 */
export function serverColumnOrder(schemaOrder: readonly string[]): readonly string[] {
  const implicit = ['_uuid', '_version'];
  const toolColumns = hashOrder([...implicit, ...hashOrder(schemaOrder)]);
  const written = hashOrder(toolColumns.filter((c) => !implicit.includes(c)));
  return hashOrder([...implicit, ...hashOrder(written)]);
}

interface Entry {
  readonly key: string;
  readonly hash: number;
  /** Position in the order of insertion. */
  readonly pos: number;
}

/**
 * Which of several entries with the same key a lookup finds, when `keys` (duplicates allowed) were added
 * to one string hash map in this order: for each distinct key, the position in `keys` of the entry found.
 *
 * ovsdb-server keeps a monitor's conditions in such a map, one entry per monitor-request, and looks the
 * condition of a table up by name; with several requests for one table the one that counts depends on
 * how the map's buckets were laid out: the first of two requests, the last of three, the second of four.
 */
export function lookupWinners(keys: readonly string[]): Map<string, number> {
  let mask = 0;
  let buckets: Entry[][] = [[]];
  keys.forEach((key, pos) => {
    const hash = ovsStringHash(key);
    (buckets[hash & mask] as Entry[]).unshift({ key, hash, pos });
    const n = pos + 1;
    if (Math.floor(n / 2) > mask) {
      const next = maskFor(n);
      if (next > mask) {
        const grown: Entry[][] = Array.from({ length: next + 1 }, () => []);
        for (const bucket of buckets) {
          for (const node of bucket) (grown[node.hash & next] as Entry[]).unshift(node);
        }
        buckets = grown;
        mask = next;
      }
    }
  });
  const out = new Map<string, number>();
  for (const key of new Set(keys)) {
    const hash = ovsStringHash(key);
    const found = (buckets[hash & mask] ?? []).find((node) => node.key === key);
    if (found !== undefined) out.set(key, found.pos);
  }
  return out;
}
