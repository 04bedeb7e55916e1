// The headline ratios of each benchmark mode, read from run.mjs's JSON results, and the summary section of
// docs/BENCHMARKS.md built from them (bench/report.mjs). A headline collects one sample per repetition, or
// one per round for modes that repeat inside themselves, so min / median / max show the spread. A mode this
// file does not know (a new one) still appears in the summary with its command, runs and time.

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Per mode: a list of [name, target, direction, unit, samples(result)] — `direction` 'max' means the value
 * must stay at or below the target, 'min' at or above it; samples are numbers (NaN/undefined skipped).
 */
const EXTRACTORS = {
  write: (res) => [
    {
      name: 'writes: pipelined client ÷ raw socket, transactions/s',
      target: 0.9,
      direction: 'min',
      unit: '×',
      samples: res.ratios?.perRound ?? [res.ratios?.medianPerRound],
    },
    {
      name: 'writes: pipelined client ÷ ovn-nbctl, per transaction',
      target: 30,
      direction: 'min',
      unit: '×',
      samples: [res.ratios?.pipelinedVsNbctl],
    },
  ],
  sync: (res) =>
    (res.results ?? []).flatMap((r) => [
      {
        name: `initial sync, S=${r.S}: client ÷ raw floor, time`,
        target: 1.3,
        direction: 'max',
        unit: '×',
        samples: r.perRound ?? [],
      },
      {
        name: `initial sync, S=${r.S}: Python IDL ÷ client, time`,
        target: 5,
        direction: 'min',
        unit: '×',
        samples: [r.summary?.python && r.summary?.client ? r.summary.python.ms / r.summary.client.ms : undefined],
      },
    ]),
  server: (res) => {
    const real = res.servers?.real;
    const ours = res.servers?.ours;
    const perRound = (k, f) => (real?.[k]?.[f]?.all ?? []).map((x, i) => ours?.[k]?.[f]?.all?.[i] / x);
    return [
      {
        name: 'embedded server ÷ ovsdb-server, pipelined transactions/s',
        target: undefined,
        direction: 'min',
        unit: '×',
        samples: perRound('pipelined', 'perSec'),
      },
      {
        name: 'embedded server ÷ ovsdb-server, initial monitor reply parsed, ms',
        target: undefined,
        direction: 'max',
        unit: '×',
        samples: perRound('monitor', 'parsedMs'),
      },
    ];
  },
  gateway: (res) => {
    const rows = res.rows ?? [];
    const most = rows[rows.length - 1];
    return [
      {
        name: `gateway: commit → browser p99 with ${most?.clients ?? '?'} clients ÷ 100 ms`,
        target: 1,
        direction: 'max',
        unit: '×',
        samples: [most?.p99 / 100],
      },
      {
        name: 'gateway: RSS at the end of the stalled-client run ÷ before it',
        target: undefined,
        direction: 'max',
        unit: '×',
        samples: [res.stall?.after / res.stall?.before],
      },
    ];
  },
  load: (res) => [
    {
      name: `load: peak gateway RSS ÷ budget (${res.cfg?.normal + res.cfg?.slow + res.cfg?.stalled} clients, ${res.cfg?.rate} changes/s)`,
      target: 1,
      direction: 'max',
      unit: '×',
      samples: [res.rss?.peak / res.rss?.bound],
    },
    {
      name: 'load: gateway JS heap allocated, last third of the churn ÷ middle third',
      target: 1.2,
      direction: 'max',
      unit: '×',
      samples: [res.rss?.heapPlateau?.ratio],
    },
    {
      name: 'load: clients equal to the dump ÷ clients that must be',
      target: 1,
      direction: 'min',
      unit: '×',
      samples: [
        res.clients
          ? (res.clients.normal?.converged + (res.clients.slow?.converged ?? 0)) /
            (res.clients.normal?.clients + (res.clients.slow?.clients ?? 0))
          : undefined,
      ],
    },
    {
      name: 'load: REST requests/s under churn (autocannon)',
      target: undefined,
      direction: 'min',
      unit: '/s',
      samples: [res.rest?.requests?.perSecond],
      chart: false,
    },
    {
      name: 'load: REST p99 latency under churn, ms',
      target: undefined,
      direction: 'max',
      unit: 'ms',
      samples: [res.rest?.latencyMs?.p99],
      chart: false,
    },
    {
      name: 'load: REST requests timed out (10 s)',
      target: undefined,
      direction: 'max',
      unit: '',
      samples: [res.rest?.timeouts],
      chart: false,
    },
  ],
};

/** Every headline over all the runs: its samples, min / median / max, and whether the median meets the target. */
export function headlines(runs) {
  const byName = new Map();
  for (const run of runs) {
    const extract = EXTRACTORS[run.mode];
    if (!extract || !run.result) continue; // a failed run's numbers still count; the runs table says it failed
    let list;
    try {
      list = extract(run.result);
    } catch {
      continue; // a mode whose results changed shape: it still shows in the runs table
    }
    for (const h of list) {
      const samples = (h.samples ?? []).filter((x) => typeof x === 'number' && Number.isFinite(x));
      if (samples.length === 0) continue;
      const e = byName.get(h.name) ?? { ...h, mode: run.mode, samples: [], runs: 0 };
      e.samples.push(...samples);
      e.runs++;
      byName.set(h.name, e);
    }
  }
  return [...byName.values()].map((h) => {
    const med = median(h.samples);
    const ok = h.target === undefined ? undefined : h.direction === 'max' ? med <= h.target : med >= h.target;
    return { ...h, min: Math.min(...h.samples), median: med, max: Math.max(...h.samples), ok };
  });
}

const fmt = (x, unit) => {
  if (x === undefined || Number.isNaN(x)) return '–';
  const d = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
  const n = x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  return unit === '×' ? `${n}×` : unit === '/s' ? `${n}/s` : unit === 'ms' ? `${n} ms` : n;
};

/** The text between the `<!-- bench:summary -->` markers. */
export function summarize({
  machine,
  machineTable,
  runs,
  headlines: hs,
  loadBefore,
  loadAfter,
  seconds,
  svg,
  allModes = [],
}) {
  const modes = [...new Set(runs.map((r) => r.mode))];
  const out = [
    `Generated by \`pnpm bench\` (\`node bench/report.mjs\`) on ${new Date().toISOString().slice(0, 10)}: ${modes.length} modes, ${runs.length} runs, ${(seconds / 60).toFixed(0)} minutes. Load average (/proc/loadavg) ${loadBefore} before, ${loadAfter} after.`,
    '',
    machineTable(machine),
    '',
    '| mode | command | runs | seconds each | status |',
    '|---|---|---:|---|---|',
    ...modes.map((m) => {
      const rs = runs.filter((r) => r.mode === m);
      const failed = rs.filter((r) => r.status !== 0).length;
      return `| ${m} | \`${rs[0].command}\` | ${rs.length} | ${rs.map((r) => r.seconds.toFixed(0)).join(' / ')} | ${failed === 0 ? 'ok' : `${failed} failed`} |`;
    }),
    '',
    'Headline ratios: each sample is one repetition, or one round for modes that repeat inside (write: pipelined and raw alternate in rounds; sync: per-round client ÷ raw; server: rounds with the servers swapped). The target is checked on the median.',
    '',
    '| headline | samples | min | median | max | target |',
    '|---|---:|---:|---:|---:|---:|',
    ...hs.map(
      (h) =>
        `| ${h.name} | ${h.samples.length} | ${fmt(h.min, h.unit)} | **${fmt(h.median, h.unit)}** | ${fmt(h.max, h.unit)} | ${h.target === undefined ? '' : `${h.direction === 'max' ? '≤' : '≥'} ${fmt(h.target, h.unit)} ${h.ok ? '✅' : '❌'}`} |`,
    ),
    '',
    `![Headline ratios: min–max bar, median dot, target tick](${svg})`,
  ];
  const notRun = allModes.filter((m) => !modes.includes(m));
  if (notRun.length > 0)
    out.push(
      '',
      `Not run in this generation (\`--only\`/\`--skip\`): ${notRun.join(', ')}; their sections below keep the numbers of their own last run.`,
    );
  const unknown = modes.filter((m) => !EXTRACTORS[m]);
  if (unknown.length > 0)
    out.push('', `Modes without headline ratios here (their sections below have the numbers): ${unknown.join(', ')}.`);
  return out.join('\n');
}
