// A child process holding N WebSocket stream clients of the gateway, so their parsing does not share a
// core with the gateway or the writer. Each client subscribes to Logical_Switch (name, other_config) and
// records, for every changed row, now − the send time the writer put into other_config:bench-ts.
// Reports one JSON line on stdout when told to stop (SIGTERM) or after --seconds.
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(new URL('../../apps/gateway/package.json', import.meta.url));
const WebSocket = require('ws');

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    clients: { type: 'string', default: '1' },
    seconds: { type: 'string', default: '60' },
    stall: { type: 'boolean', default: false },
  },
});
const n = Number(values.clients);
const latencies = [];
let snapshotsDone = 0;
let deltas = 0;
let resyncs = 0;
const sockets = [];

const now = () => performance.timeOrigin + performance.now();

for (let i = 0; i < n; i++) {
  const ws = new WebSocket(values.url, ['ovsdb-web.v1']);
  sockets.push(ws);
  ws.on('open', () => {
    // A stalled client takes whole rows, so its backlog grows fast enough to hit the gateway's bound.
    const columns = values.stall ? {} : { columns: { Logical_Switch: ['name', 'other_config'] } };
    ws.send(
      JSON.stringify({
        type: 'subscribe',
        id: 's',
        remote: 'nb',
        db: 'OVN_Northbound',
        tables: ['Logical_Switch'],
        ...columns,
      }),
    );
  });
  ws.on('message', (data) => {
    const t = now();
    const msg = JSON.parse(data.toString());
    if (msg.type === 'snapshot' && msg.last) {
      snapshotsDone++;
      if (values.stall) ws._socket.pause(); // read the snapshot, then stop reading: a stalled browser
      if (snapshotsDone === n) process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
    } else if (msg.type === 'delta') {
      deltas++;
      for (const c of msg.changes) {
        const cfg = c.row?.other_config;
        if (!Array.isArray(cfg)) continue;
        const pair = cfg[1].find((p) => p[0] === 'bench-ts');
        if (pair) latencies.push(t - Number(pair[1]));
      }
    } else if (msg.type === 'resync') resyncs++;
  });
  ws.on('error', (err) => process.stderr.write(`client ${i}: ${err.message}\n`));
}

let reported = false;
function report() {
  if (reported) return;
  reported = true;
  latencies.sort((a, b) => a - b);
  const q = (p) =>
    latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] : null;
  process.stdout.write(
    `${JSON.stringify({ count: latencies.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: q(1), deltas, resyncs })}\n`,
  );
  for (const ws of sockets) ws.terminate();
  setTimeout(() => process.exit(0), 50);
}
process.on('SIGTERM', report);
// Ref'd on purpose: a stalled client's socket may be closed by the gateway, and the report must still come.
setTimeout(report, Number(values.seconds) * 1000);
