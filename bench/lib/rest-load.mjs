// REST reads for the load benchmark, in a process of their own: autocannon against the gateway's row
// routes (a page of ports sorted by name, ports filtered by namespace, ACLs by priority, the remotes list)
// for --seconds, then one JSON line with its result on stdout (with the kinds of request errors seen).
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    seconds: { type: 'string', default: '60' },
    connections: { type: 'string', default: '10' },
  },
});
const base = '/api/v1/remotes/nb/dbs/OVN_Northbound/tables';
export const REST_REQUESTS = [
  `${base}/Logical_Switch_Port/rows?limit=100&sort=name`,
  `${base}/Logical_Switch_Port/rows?limit=100&where=${encodeURIComponent('external_ids:namespace=default')}`,
  `${base}/ACL/rows?limit=200&sort=-priority`,
  '/api/v1/remotes',
];
const errorKinds = {};
const result = await new Promise((resolve, reject) => {
  const instance = autocannon(
    {
      url: values.url,
      connections: Number(values.connections),
      duration: Number(values.seconds),
      requests: REST_REQUESTS.map((path) => ({ method: 'GET', path })),
    },
    (err, res) => (err ? reject(err) : resolve(res)),
  );
  instance.on('reqError', (err) => {
    const kind = err?.code ?? err?.message ?? String(err);
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  });
});
const pick = (h) => ({ average: h.average, p50: h.p50, p90: h.p90, p99: h.p99, max: h.max });
process.stdout.write(
  `${JSON.stringify({
    requests: { total: result.requests.total, perSecond: result.requests.average },
    latencyMs: pick(result.latency),
    throughputBytesPerSecond: result.throughput.average,
    non2xx: result.non2xx,
    errors: result.errors,
    errorKinds,
    timeouts: result.timeouts,
    statusCodes: result.statusCodeStats,
    connections: Number(values.connections),
    seconds: Number(values.seconds),
    paths: REST_REQUESTS,
  })}\n`,
);
