/**
 * Fuzzing `GET …/tables/:table/rows` on a live gateway: random `where` (ovn-nbctl find clauses, RFC 7047
 * conditions as JSON, plausible and broken, several at once), `sort`, `limit` and `offset`, on real and
 * unknown tables. Every answer is 200 with a page that keeps its promises (at most `limit` rows, `total`
 * rows in all, sorted as asked), or a 4xx with the `{ "error": { "code", "message" } }` shape — never a 5xx.
 *
 * Runs: `FUZZ_RUNS` (default 300 here; `FUZZ_RUNS=100000 pnpm fuzz` for a long run), `FUZZ_SEED` to replay.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIND_OPERATORS, parseJson } from '@ovsdb-web/client';
import { ERROR_STATUS } from '@ovsdb-web/protocol';
import { ovnNbctl, startOvsdbServer, OVN_NB_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';
import { NB, startGateway, type RunningGateway } from '../fault-support.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };

let server: OvsdbServerProcess;
let gw: RunningGateway;

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  const cmds: string[] = ['ls-add', 'sw0', '--', 'ls-add', 'sw1', '--', 'pg-add', 'pg0'];
  for (let i = 0; i < 12; i++) {
    cmds.push(
      '--',
      'lsp-add',
      `sw${i % 2}`,
      `p${i}`,
      '--',
      'lsp-set-addresses',
      `p${i}`,
      `00:00:00:00:00:${(16 + i).toString(16)} 10.0.0.${i + 1}`,
    );
    cmds.push('--', 'set', 'Logical_Switch_Port', `p${i}`, `external_ids:k=v${i % 3}`, `tag_request=${i}`);
  }
  for (let i = 0; i < 6; i++)
    cmds.push(
      '--',
      'acl-add',
      'pg0',
      i % 2 ? 'to-lport' : 'from-lport',
      String(1000 + i),
      `ip4.src == 10.0.0.${i}`,
      'allow',
    );
  await ovnNbctl(server.unixRemote!, ...cmds);
  gw = await startGateway(server.unixRemote!);
});
afterAll(async () => {
  await gw?.app.close();
  await server?.stop();
});

// ---- generators --------------------------------------------------------------------------------------

const TABLES = ['Logical_Switch', 'Logical_Switch_Port', 'ACL', 'Port_Group', 'NB_Global'];
const COLUMNS = [
  'name',
  'ports',
  'addresses',
  'external_ids',
  'priority',
  'direction',
  'match',
  'tag_request',
  'up',
  'enabled',
  'options',
  '_uuid',
  'nope',
  '',
];
const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 }));
const value = fc.oneof(
  fc.constantFrom(
    'sw0',
    'p1',
    '1000',
    '-1',
    '99999999999999999999',
    'true',
    '[]',
    '{}',
    '{k=v1}',
    '[a,b]',
    '"00:00:00:00:00:11 10.0.0.2"',
    '"unterminated',
    'from-lport',
    '8a4f4c1e-5c62-4a40-a1b3-5b2c6f0a9e01',
  ),
  fc.integer().map(String),
  text,
);
const findClause = fc
  .tuple(
    fc.constantFrom(...COLUMNS),
    fc.option(fc.constantFrom(':k', ':x', ':'), { nil: '' }),
    fc.oneof(fc.constantFrom(...FIND_OPERATORS), fc.constantFrom('==', '~', '{', '}', '')),
    value,
  )
  .map(([c, key, op, v]) => `${c}${key}${op}${v}`);
const condition = fc.oneof(
  fc.tuple(
    fc.constantFrom(...COLUMNS),
    fc.constantFrom('==', '!=', '<', '<=', '>', '>=', 'includes', 'excludes', '~'),
    fc.oneof(fc.jsonValue(), fc.constantFrom('sw0', 1000, ['set', ['sw0']], ['map', [['k', 'v1']]], ['uuid', 'x'])),
  ),
  fc.jsonValue(),
);
const jsonWhere = fc.oneof(
  fc.array(condition, { maxLength: 3 }).map((c) => JSON.stringify(c)),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
  fc.integer({ min: 1, max: 200 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
);
const where = fc.oneof(findClause, jsonWhere, text);
const sort = fc.oneof(
  fc
    .array(fc.tuple(fc.boolean(), fc.constantFrom(...COLUMNS)), { minLength: 1, maxLength: 3 })
    .map((xs) => xs.map(([desc, c]) => `${desc ? '-' : ''}${c}`).join(',')),
  text,
);
const number = fc.oneof(
  fc.nat({ max: 20 }),
  fc.integer(),
  fc.constantFrom('-1', '1.5', 'abc', '', '1e3', '100001', '99999999999999999999', '0x10'),
);

const query = fc.record(
  {
    table: fc.oneof(
      fc.constantFrom(...TABLES),
      fc.constantFrom('Nope', '%2e%2e', 'ACL%00', encodeURIComponent('Logical_Switch/rows')),
    ),
    where: fc.array(where, { maxLength: 3 }),
    sort,
    limit: number,
    offset: number,
    extra: fc.tuple(fc.constantFrom('x', 'limit', 'where'), text),
  },
  { requiredKeys: ['table', 'where'] },
);

/** Queries that mostly make sense: each table's own columns, values of their types. */
const PLAUSIBLE: Record<string, { find: string[]; json: unknown[]; sort: string[] }> = {
  Logical_Switch: {
    find: ['name=sw0', 'name!=sw1', 'ports{>}[]', 'other_config={}', 'external_ids:k=v1'],
    json: [['name', '==', 'sw0']],
    sort: ['name', '-name', 'ports'],
  },
  Logical_Switch_Port: {
    find: [
      'name=p1',
      'external_ids:k=v1',
      'external_ids:k!=v2',
      'tag_request>3',
      'tag_request<=7',
      'addresses{>=}"00:00:00:00:00:11 10.0.0.2"',
      'up=true',
      'enabled{=}[]',
      'name>p3',
    ],
    json: [
      ['tag_request', '>=', 4],
      ['external_ids', 'includes', ['map', [['k', 'v0']]]],
      ['name', '!=', 'p0'],
    ],
    sort: ['name', '-tag_request', 'external_ids', '-addresses,name'],
  },
  ACL: {
    find: ['priority>=1002', 'direction=to-lport', 'action=allow', 'match="ip4.src == 10.0.0.1"'],
    json: [
      ['priority', '<', 1004],
      ['direction', '==', 'from-lport'],
    ],
    sort: ['priority', '-priority', 'direction,-priority', 'match'],
  },
  Port_Group: { find: ['name=pg0', 'acls{>}[]'], json: [['name', '==', 'pg0']], sort: ['name'] },
  NB_Global: { find: [], json: [], sort: [] },
};
const plausibleQuery = fc.constantFrom(...Object.keys(PLAUSIBLE)).chain((table) => {
  const p = PLAUSIBLE[table]!;
  const w = fc.oneof(
    ...[...p.find, ...p.json.map((c) => JSON.stringify([c]))].map((x) => fc.constant(x)),
    fc.constant('_uuid!=8a4f4c1e-5c62-4a40-a1b3-5b2c6f0a9e01'),
  );
  return fc.record(
    {
      table: fc.constant(table),
      where: fc.array(w, { maxLength: 2 }),
      sort: p.sort.length > 0 ? fc.constantFrom(...p.sort) : fc.constant('_uuid'),
      limit: fc.nat({ max: 15 }),
      offset: fc.nat({ max: 15 }),
    },
    { requiredKeys: ['table', 'where'] },
  );
});

describe('GET rows under random queries', () => {
  it('answers 200 with a page that keeps its promises, or a 4xx with the error shape; never a 5xx', async () => {
    let ok = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 2, arbitrary: plausibleQuery }, { weight: 3, arbitrary: query }),
        async (q: {
          table: string;
          where: string[];
          sort?: string;
          limit?: number | string;
          offset?: number | string;
          extra?: [string, string];
        }) => {
          const params = new URLSearchParams();
          for (const w of q.where) params.append('where', w);
          if (q.sort !== undefined) params.set('sort', q.sort);
          if (q.limit !== undefined) params.set('limit', String(q.limit));
          if (q.offset !== undefined) params.set('offset', String(q.offset));
          if (q.extra !== undefined) params.append(q.extra[0], q.extra[1]);
          const url = `/api/v1/remotes/nb/dbs/${NB}/tables/${q.table}/rows?${params.toString()}`;
          const res = await gw.app.inject({ url });
          const status = res.statusCode;
          expect(
            status === 200 || (status >= 400 && status < 500),
            `HTTP ${status} for ${url}: ${res.body.slice(0, 300)}`,
          ).toBe(true);
          const body = parseJson(res.body) as Record<string, unknown>;
          if (status !== 200) {
            refused++;
            expect(Object.keys(body)).toEqual(['error']);
            const err = body.error as { code: unknown; message: unknown };
            expect(typeof err.message).toBe('string');
            expect(
              (ERROR_STATUS as Record<string, number>)[err.code as string],
              `code ${String(err.code)} for ${url}`,
            ).toBe(status);
            return;
          }
          ok++;
          const page = body as { total: number; rows: Record<string, unknown>[] };
          expect(Number.isInteger(page.total)).toBe(true);
          const limit = q.limit === undefined ? 1_000 : Number(q.limit);
          const offset = q.offset === undefined ? 0 : Number(q.offset);
          expect(page.rows.length).toBeLessThanOrEqual(limit);
          expect(page.rows.length).toBe(Math.max(0, Math.min(limit, page.total - offset)));
          for (const r of page.rows) expect(r).toHaveProperty('_uuid');
          // A sort by one scalar column: neighbours in order (ties are broken by _uuid).
          const by = /^(-?)(name|priority)$/.exec(q.sort ?? '');
          if (by && q.table !== 'NB_Global') {
            const key = (r: Record<string, unknown>): string | number => r[by[2]!] as string | number;
            for (let i = 1; i < page.rows.length; i++) {
              const [a, b] = [key(page.rows[i - 1]!), key(page.rows[i]!)];
              if (by[1] === '-') expect(a >= b, `${String(a)} before ${String(b)} in ${url}`).toBe(true);
              else expect(a <= b, `${String(a)} before ${String(b)} in ${url}`).toBe(true);
            }
          }
        },
      ),
      { numRuns: RUNS, ...SEED },
    );
    if (process.env.FUZZ_REPORT === '1') console.log(`rows fuzz: ${RUNS} queries, ${ok} answered, ${refused} refused`);
    expect(ok).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
