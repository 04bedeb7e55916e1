// One measured initial sync in a fresh process, for bench/lib/sync.mjs. Every method runs in a new
// process so each starts from a cold JIT and an empty heap, the way a program starting up would.
//
//   node --expose-gc sync-child.mjs client REMOTE DB
//   node --expose-gc sync-child.mjs raw SOCKET_PATH REQUEST_JSON
//   node --expose-gc sync-child.mjs apply FILE
//
// Prints one JSON line. `ms` is from just before connecting to "every row in memory": for the client
// when `monitor()` resolves (its cache is complete), for the raw socket when the reply is parsed.
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import { ReplyReader, countRows } from './sync-raw.mjs';

// Only the modes that use the client load it (and only it, not the other workspace packages that
// imports.mjs re-exports), so the raw floor's process start-up carries no library it does not use.
const loadClient = () => import('../../packages/client/dist/index.js');

const gc = globalThis.gc ?? (() => undefined);

function heapAfterGc() {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function vm() {
  const status = await readFile('/proc/self/status', 'utf8');
  const kib = (f) => Number(new RegExp(`^${f}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peakRssMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 };
}

async function viaClient(remote, db) {
  const { OvsdbClient } = await loadClient();
  const heap0 = heapAfterGc();
  const t0 = performance.now();
  const client = await OvsdbClient.connect(remote);
  const t1 = performance.now();
  const mon = await client.monitor(db, { tables: '*' });
  const t2 = performance.now();
  const rows = mon.cache.size;
  const heap1 = heapAfterGc();
  const mem = await vm();
  await client.close();
  return {
    ms: t2 - t0,
    connectMs: t1 - t0,
    monitorMs: t2 - t1,
    rows,
    heapBytes: heap1 - heap0,
    ...mem,
    keep: mon.cache.size,
  };
}

/** `request` is the text of our client's own monitor request (id 1), so both ask for the same thing. */
function viaRaw(path, request) {
  const heap0 = heapAfterGc();
  return new Promise((resolve, reject) => {
    const reader = new ReplyReader();
    const t0 = performance.now();
    const sock = net.createConnection(path);
    sock.on('error', reject);
    sock.on('connect', () => sock.write(request));
    sock.on('data', (chunk) => {
      for (const msg of reader.push(chunk)) {
        if (msg.id !== 1) continue; // nothing else is expected, but an echo must not end the run
        const t1 = performance.now();
        sock.destroy();
        if (msg.error) return reject(new Error(`monitor_cond_since: ${JSON.stringify(msg.error)}`));
        const rows = countRows(msg.result[2]);
        const heap1 = heapAfterGc();
        vm().then(
          (mem) => resolve({ ms: t1 - t0, rows, heapBytes: heap1 - heap0, ...mem, keep: msg !== null }),
          reject,
        );
      }
    });
  });
}

/**
 * Feeds recorded update3 notifications straight into a monitor's cache, after filling it from the
 * recorded initial reply: the client's own apply cost, without the server or the socket in the way.
 * Timed twice over the same messages on two caches: from bytes (the client's `MessageReader`, as the
 * connection would run it, then `applyUpdate2`), and `applyUpdate2` alone on already parsed messages.
 */
async function applyRate(file) {
  const { DatabaseCache, MessageReader, TableCache, parseDatabaseSchema, parseJson } = await loadClient();
  const rec = JSON.parse(await readFile(file, 'utf8'));
  const schema = parseDatabaseSchema(rec.schema);
  const build = () => {
    const cache = new DatabaseCache(
      rec.db,
      [...schema.tables.values()].map((t) => new TableCache(t, [...t.columns.values()])),
    );
    cache.load(parseJson(rec.initial).result[2], 2);
    return cache;
  };
  const bytes = rec.updates.map((text) => Buffer.from(text));
  const feed = (cache, list) => {
    let rows = 0;
    const reader = new MessageReader(
      (msg) => (rows += cache.applyUpdate2(msg.params[2]).length),
      (err) => {
        throw err;
      },
    );
    for (const b of list) reader.push(b);
    return rows;
  };
  // Warm-up on a throwaway cache (the first few hundred messages), so both timings see optimized code.
  // Only one cache is alive at a time, as in a client: a heap holding two would make GC dearer.
  feed(build(), bytes.slice(0, 200));
  gc();

  let cache = build();
  const t0 = performance.now();
  const rowsApplied = feed(cache, bytes);
  const parseApplyMs = performance.now() - t0;
  // eslint-disable-next-line no-useless-assignment -- drops the only reference, so gc() can free the cache
  cache = undefined;
  gc();

  cache = build();
  const parsed = rec.updates.map((text) => parseJson(text).params[2]);
  const t1 = performance.now();
  for (const u of parsed) cache.applyUpdate2(u);
  const applyMs = performance.now() - t1;
  return {
    messages: rec.updates.length,
    rowsApplied,
    parseApplyMs,
    applyMs,
    bytes: bytes.reduce((n, x) => n + x.length, 0),
  };
}

const [mode, ...args] = process.argv.slice(2);
let out;
if (mode === 'client') out = await viaClient(args[0], args[1]);
else if (mode === 'raw') out = await viaRaw(args[0], args[1]);
else if (mode === 'apply') out = await applyRate(args[0]);
else throw new Error(`unknown mode ${mode}`);
delete out.keep;
process.stdout.write(`${JSON.stringify(out)}\n`);
