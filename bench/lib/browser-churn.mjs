// The writer of the browser benchmark's live-update run: `rate` row changes per second against ovsdb-server
// through our client, pipelined (up to `maxInFlight` transactions unanswered). Each change sets
// `options:<key>` of one Logical_Switch_Port to the writer's Date.now(), so the page can tell how old a value
// is when it shows up; a share of the changes go to the rows on screen, the rest anywhere in the table.
const DB = 'OVN_Northbound';

function mutateOp(uuid, key, value) {
  return {
    op: 'mutate',
    table: 'Logical_Switch_Port',
    where: [['_uuid', '==', ['uuid', uuid]]],
    // A map `insert` keeps an existing key's value, so delete the key first (same operation, in order).
    mutations: [
      ['options', 'delete', ['set', [key]]],
      ['options', 'insert', ['map', [[key, value]]]],
    ],
  };
}

/**
 * Run the churn for `seconds`. `all` are the uuids of every row, `watched` those on screen; `watchShare` of
 * the changes go to a watched row (round-robin), the rest to a uniformly random row. Every few milliseconds
 * the changes due by then go out as one transaction (one `mutate` per row): the gateway coalesces what
 * arrives within its 20 ms window anyway, and a transaction per change would make the writer, not the page,
 * the bottleneck on a busy 2-core machine. Returns what was sent and, per row, the last value written (in
 * send order, which is the order ovsdb-server applies them).
 */
export async function runWriter(
  client,
  { all, watched, watchShare, rate, seconds, key = 'bench', tickMs = 5, maxInFlight = 64, random = Math.random },
) {
  const last = new Map();
  const inFlight = new Set();
  let sent = 0;
  let transactions = 0;
  let failed = 0;
  let firstError;
  let w = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    if (sent < due && inFlight.size < maxInFlight) {
      const ops = [];
      const value = String(Date.now());
      for (; sent < due; sent++) {
        const uuid =
          watched.length > 0 && random() < watchShare
            ? watched[w++ % watched.length]
            : all[Math.floor(random() * all.length)];
        last.set(uuid, value);
        ops.push(mutateOp(uuid, key, value));
      }
      const n = ops.length;
      const p = client
        .transact(DB, ops)
        .catch((err) => {
          failed += n;
          firstError ??= err instanceof Error ? err.message : String(err);
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      transactions++;
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  const elapsed = (performance.now() - start) / 1000;
  await Promise.all(inFlight);
  return { sent, transactions, failed, firstError, rate: sent / elapsed, seconds: elapsed, last };
}

/** Every Logical_Switch_Port: uuid and name. */
export async function portList(client) {
  const [r] = await client.transact(DB, [
    { op: 'select', table: 'Logical_Switch_Port', where: [], columns: ['_uuid', 'name'] },
  ]);
  return r.rows.map((row) => ({ uuid: row._uuid[1], name: row.name }));
}

/**
 * A database of `switches` logical switches with `ports` ports each, ports only (no ACLs, unlike the
 * standard dataset, whose generator stops at 512 switches): for the 1,000,000-row run. Each port looks like
 * the standard dataset's (a pod's port as ovn-kubernetes writes it). One switch with its ports per
 * transaction, `window` transactions in flight.
 */
export async function loadPortsOnly(client, { switches, ports, window = 8, log }) {
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  const hex = (n, w) => n.toString(16).padStart(w, '0');
  const one = async () => {
    while (next < switches) {
      const i = next++;
      const ops = [];
      const refs = [];
      for (let j = 0; j < ports; j++) {
        const ipN = (10 << 24) | ((128 + (i >> 7)) << 16) | ((i & 127) << 9) | (3 + j);
        const ip = `${ipN >>> 24}.${(ipN >>> 16) & 255}.${(ipN >>> 8) & 255}.${ipN & 255}`;
        const mac = `0a:58:${hex((ipN >>> 24) & 255, 2)}:${hex((ipN >>> 16) & 255, 2)}:${hex((ipN >>> 8) & 255, 2)}:${hex(ipN & 255, 2)}`;
        const address = `${mac} ${ip}`;
        const ref = `p${j}`;
        refs.push(['named-uuid', ref]);
        ops.push({
          op: 'insert',
          table: 'Logical_Switch_Port',
          'uuid-name': ref,
          row: {
            name: `ls${i}-p${j}`,
            addresses: ['set', [address]],
            port_security: ['set', [address]],
            options: [
              'map',
              [
                ['iface-id-ver', `${hex(i, 8)}-${hex(j, 4)}-4000-8000-${hex(i * 1000 + j, 12)}`],
                ['requested-chassis', `node${i}`],
              ],
            ],
            external_ids: [
              'map',
              [
                ['namespace', `ns${i}`],
                ['pod', 'true'],
              ],
            ],
          },
        });
      }
      ops.push({ op: 'insert', table: 'Logical_Switch', row: { name: `ls${i}`, ports: ['set', refs] } });
      await client.transact(DB, ops, { validate: false });
      done++;
      if (log && done % 500 === 0)
        log(`  ${done * ports} ports loaded (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
  };
  await Promise.all(Array.from({ length: window }, one));
  return { rows: switches * (ports + 1), seconds: (performance.now() - t0) / 1000 };
}
