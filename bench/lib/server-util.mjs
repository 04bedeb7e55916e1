// Pure helpers of the embedded-server benchmark (server.mjs), apart so their test needs no built packages.

export const DB = 'OVN_Northbound';

/** A `monitor_cond` request for every column of every table in `tables`: what a full-cache client asks. */
export function monitorCondRequest(tables, id = 0) {
  return { id, method: 'monitor_cond', params: [DB, 'bench', Object.fromEntries(tables.map((t) => [t, [{}]]))] };
}

/** Rows in a `monitor_cond` reply's result (`{table: {uuid: {initial: row}}}`), by table and in total. */
export function initialRowCount(result) {
  const byTable = {};
  let total = 0;
  for (const [table, rows] of Object.entries(result ?? {})) {
    const n = Object.keys(rows).length;
    byTable[table] = n;
    total += n;
  }
  return { total, byTable };
}

/** The three load averages of `/proc/loadavg` text. */
export function parseLoadavg(text) {
  const [one, five, fifteen] = text.trim().split(/\s+/).slice(0, 3).map(Number);
  return { one, five, fifteen };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Rows of the standard dataset for S switches × P ports (as `standardRowCount` in the sample package). */
export function standardRows(switches, ports) {
  return switches * (2 + ports + Math.floor(ports / 2));
}
