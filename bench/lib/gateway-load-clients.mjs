// A child process holding the load benchmark's WebSocket clients (bench/lib/gateway-load.mjs), so their
// parsing does not share a core with the gateway or the writer. Three kinds:
//   normal  — read everything as it comes;
//   slow    — read with delays: the socket is paused most of the time (pauseMs of every periodMs);
//   stalled — read the snapshot, then never read again (until told to check).
// Each applies what it receives with the protocol's reducer (`applyServerMessage`), exactly as the web app
// does, and records what a correctness check needs: deltas the reducer ignored (sent twice), sequence
// numbers going backwards, resync notices, errors, and whether the gateway closed it.
//
// Protocol with the parent, one JSON object per line: stdout {"ready":…} once every snapshot is in; stdin
// {"cmd":"check","dump":FILE,"timeoutMs":N} → stdout {"report":…}: every stalled client resumes reading,
// then each client's rows are compared with the dump (ovsdb-client dump --format=json, as parsed by the
// testing package) until they match or the time is up.
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  parseDatabaseSchema,
  parseJson,
  rowFromWire,
  rowToWire,
  stringifyJson,
} from '../../packages/client/dist/index.js';
import { applyServerMessage, createSubscriptionState, parseServerMessage } from '../../packages/protocol/dist/index.js';

const require = createRequire(new URL('../../apps/gateway/package.json', import.meta.url));
const WebSocket = require('ws');

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    http: { type: 'string' },
    normal: { type: 'string', default: '150' },
    slow: { type: 'string', default: '40' },
    stalled: { type: 'string', default: '10' },
    'pause-ms': { type: 'string', default: '1000' },
    'period-ms': { type: 'string', default: '1250' },
  },
});

/** What clients subscribe to. Normal and slow clients rotate through the light ones; stalled ones take `all`. */
export const SPECS = {
  ports: {
    tables: ['Logical_Switch_Port'],
    columns: { Logical_Switch_Port: ['name', 'addresses', 'external_ids', 'up'] },
  },
  acls: { tables: ['ACL'] },
  sets: { tables: ['Address_Set'] },
  switches: { tables: ['Logical_Switch'], columns: { Logical_Switch: ['name', 'other_config', 'external_ids'] } },
  all: { tables: ['Logical_Switch', 'Logical_Switch_Port', 'Port_Group', 'ACL', 'Address_Set'] },
};
const LIGHT = ['ports', 'acls', 'sets', 'switches'];

const schemaJson = parseJson(await (await fetch(`${values.http}/api/v1/remotes/nb/dbs/OVN_Northbound/schema`)).text());
const schema = parseDatabaseSchema(schemaJson);

const clients = [];
function makeClient(kind, i) {
  // Two normal clients watch every table whole: the heaviest readers.
  const specName = kind === 'stalled' ? 'all' : kind === 'normal' && i < 2 ? 'all' : LIGHT[i % LIGHT.length];
  const spec = SPECS[specName];
  const c = {
    kind,
    specName,
    state: createSubscriptionState('s'),
    messages: 0,
    bytes: 0,
    deltas: 0,
    resyncs: 0,
    errors: [],
    ignored: [],
    seqProblems: [],
    closed: undefined,
    lastSeq: -1,
    snapshotDone: false,
  };
  const ws = new WebSocket(values.url, ['ovsdb-web.v1']);
  c.ws = ws;
  ws.on('open', () =>
    ws.send(JSON.stringify({ type: 'subscribe', id: 's', remote: 'nb', db: 'OVN_Northbound', ...spec })),
  );
  ws.on('message', (data) => {
    const text = String(data);
    c.messages++;
    c.bytes += text.length;
    const msg = parseServerMessage(text);
    if (msg.type === 'delta') {
      c.deltas++;
      if (msg.seq <= c.lastSeq) c.seqProblems.push(`delta ${msg.seq} after ${c.lastSeq}`);
      c.lastSeq = msg.seq;
    } else if (msg.type === 'snapshot' && msg.last) {
      if (msg.seq < c.lastSeq) c.seqProblems.push(`snapshot ${msg.seq} after ${c.lastSeq}`);
      c.lastSeq = msg.seq;
    } else if (msg.type === 'resync') c.resyncs++;
    else if (msg.type === 'error') c.errors.push(`${msg.error.code}: ${msg.error.message}`);
    const applied = applyServerMessage(c.state, msg);
    if (applied.kind === 'ignored') c.ignored.push(applied.reason);
    if (applied.kind === 'snapshot' && !c.snapshotDone) {
      c.snapshotDone = true;
      // ws.pause(), not the socket's: ws resumes a paused socket itself once its receiver drains.
      if (kind === 'stalled') ws.pause();
      if (kind === 'slow') startSlow(c);
      ready();
    }
  });
  ws.on('close', (code) => {
    c.closed = code;
    clearInterval(c.slowTimer);
  });
  ws.on('error', (err) => c.errors.push(`socket: ${err.message}`));
  return c;
}

function startSlow(c) {
  const pauseMs = Number(values['pause-ms']);
  const periodMs = Number(values['period-ms']);
  c.slowTimer = setInterval(() => {
    c.ws.pause();
    setTimeout(() => c.ws.resume(), pauseMs);
  }, periodMs);
}

const started = performance.now();
let readyCount = 0;
function ready() {
  if (++readyCount === clients.length)
    process.stdout.write(`${JSON.stringify({ ready: true, snapshotMs: performance.now() - started })}\n`);
}
for (const [kind, n] of [
  ['normal', Number(values.normal)],
  ['slow', Number(values.slow)],
  ['stalled', Number(values.stalled)],
]) {
  for (let k = 0; k < n; k++) clients.push(makeClient(kind, k));
}
if (clients.length === 0) process.stdout.write(`${JSON.stringify({ ready: true, snapshotMs: 0 })}\n`);

// ---- the check ----------------------------------------------------------------------------------------

const canonicalCache = new WeakMap();
function canonical(table, wire) {
  let text = canonicalCache.get(wire);
  if (text !== undefined) return text;
  const t = schema.tables.get(table);
  const picked = {};
  for (const k of Object.keys(wire).sort()) if (k !== '_uuid' && k !== '_version') picked[k] = wire[k];
  text = stringifyJson(rowToWire(t, rowFromWire(t, picked)));
  canonicalCache.set(wire, text);
  return text;
}

/** One string for a subscription's rows: table, uuid and canonical row, sorted. */
function fingerprint(rowsByTable) {
  const out = [];
  for (const [table, rows] of rowsByTable)
    for (const [uuid, row] of rows) out.push(`${table} ${uuid} ${canonical(table, row)}`);
  return out.sort().join('\n');
}

function expectedFor(spec, dump) {
  const byTable = new Map();
  for (const table of spec.tables) {
    const cols = spec.columns?.[table];
    const rows = new Map();
    for (const [uuid, wire] of Object.entries(dump[table] ?? {})) {
      rows.set(uuid, cols ? Object.fromEntries(Object.entries(wire).filter(([k]) => cols.includes(k))) : wire);
    }
    byTable.set(table, rows);
  }
  return fingerprint(byTable);
}

async function check({ dump: file, timeoutMs }) {
  const dump = parseJson(await readFile(file, 'utf8'));
  const want = Object.fromEntries(Object.entries(SPECS).map(([name, spec]) => [name, expectedFor(spec, dump)]));
  for (const c of clients) {
    clearInterval(c.slowTimer);
    if (c.closed === undefined) c.ws.resume();
  }
  const deadline = performance.now() + timeoutMs;
  const converged = (c) => c.state.phase === 'live' && fingerprint(c.state.rows) === want[c.specName];
  for (;;) {
    const pending = clients.filter((c) => c.closed === undefined && !converged(c));
    if (pending.length === 0 || performance.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const byKind = {};
  for (const c of clients) {
    const k = (byKind[c.kind] ??= {
      clients: 0,
      converged: 0,
      closedByGateway: 0,
      neither: 0,
      resyncNotices: 0,
      deltas: 0,
      messages: 0,
      mbReceived: 0,
      ignored: 0,
      seqProblems: 0,
      errors: 0,
      examples: [],
    });
    k.clients++;
    const ok = c.closed === undefined && converged(c);
    if (ok) k.converged++;
    else if (c.closed !== undefined) k.closedByGateway++;
    else k.neither++;
    k.resyncNotices += c.resyncs;
    k.deltas += c.deltas;
    k.messages += c.messages;
    k.mbReceived += c.bytes / 1e6;
    k.ignored += c.ignored.length;
    k.seqProblems += c.seqProblems.length;
    k.errors += c.errors.length;
    if ((!ok || c.ignored.length || c.seqProblems.length || c.errors.length) && k.examples.length < 3) {
      k.examples.push({
        spec: c.specName,
        phase: c.state.phase,
        closed: c.closed,
        ignored: c.ignored.slice(0, 2),
        seqProblems: c.seqProblems.slice(0, 2),
        errors: c.errors.slice(0, 2),
      });
    }
  }
  return byKind;
}

const rl = createInterface({ input: process.stdin });
rl.on('line', async (line) => {
  const cmd = JSON.parse(line);
  if (cmd.cmd === 'check') {
    const report = await check(cmd);
    process.stdout.write(`${JSON.stringify({ report })}\n`);
  }
});
process.on('SIGTERM', () => {
  for (const c of clients) c.ws.terminate();
  setTimeout(() => process.exit(0), 50);
});
