/**
 * `find` clauses against ovn-nbctl's own `find`, on one ovsdb-server: for every clause, the rows our
 * predicate selects (over rows read with `select`) must be the rows `ovn-nbctl find` prints, and a clause
 * ovn-nbctl refuses must be a FilterError here. Where we differ on purpose, the difference is spelled out
 * at the end, each with both tools' answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandError, ovnNbctl, startOvsdbServer, OVN_NB_SCHEMA, type OvsdbServerProcess } from '@ovsdb-web/testing';
import { OvsdbClient } from '../client/client.js';
import { rowFromWire } from '../data/row.js';
import type { Row } from '../data/value.js';
import type { Json } from '../wire/json.js';
import type { DatabaseSchema, TableSchema } from '../schema/schema.js';
import { FilterError, parseFilter } from './find.js';

const NB = 'OVN_Northbound';

/**
 * Per table: clauses both tools accept (their selections must match) and clauses both must refuse.
 * `$name` stands for the uuid of the row called `name` (`$^name`: the same uuid in upper case).
 */
const CASES: Record<string, { select: string[]; refuse: string[] }> = {
  Logical_Switch_Port: {
    select: [
      // A scalar string, every operator.
      'name=p1',
      'name!=p1',
      'name<p3',
      'name>p3',
      'name<=p3',
      'name>=p3',
      'name{=}p1',
      'name{!=}p1',
      'name{<=}p1',
      'name{>=}p1',
      'name{<}p1',
      'name{>}p1',
      'name=[p1]',
      'name="with space"',
      'name=with\\ space',
      'name="p\\u0031"',
      'name=p\\1',
      'name= p1 ',
      'type=router',
      'type=""',
      'type!=""',
      // Optional (0..1) integer: an empty value sorts before any number.
      'tag_request=5',
      'tag_request!=5',
      'tag_request<5',
      'tag_request>5',
      'tag_request<=100',
      'tag_request>=100',
      'tag_request=[]',
      'tag_request!=[]',
      'tag_request{=}[]',
      'tag_request{!=}[]',
      'tag_request{<=}5',
      'tag_request{<}5',
      'tag_request{>=}[]',
      'tag_request{>}[]',
      'tag_request=+5',
      'tag_request=5-5',
      'tag_request=[0]',
      // Optional booleans, in each spelling ovs-vsctl takes.
      'enabled=true',
      'enabled=false',
      'enabled=[]',
      'enabled!=false',
      'enabled=yes',
      'enabled=off',
      'enabled=1',
      'enabled<true',
      'enabled>false',
      'up=true',
      'up=[]',
      'up{<=}false',
      'parent_name=p1',
      'parent_name{<=}p1',
      // Optional references.
      'dhcpv4_options=$dhcp',
      'dhcpv4_options=$^dhcp',
      'dhcpv4_options=[]',
      'dhcpv4_options!=[]',
      'dhcpv6_options{<=}$dhcp',
      // Sets of strings: spaces and commas both separate members; brackets are optional.
      'addresses=dynamic',
      'addresses=[dynamic]',
      'addresses{>=}dynamic',
      'addresses{<=}router dynamic unknown',
      'addresses{>=}dynamic "00:00:00:00:00:04 10.0.0.4 fd00::4"',
      'addresses{>=}[router,dynamic]',
      'addresses{<=}[router, dynamic, unknown]',
      'addresses{>=}"00:00:00:00:00:01 10.0.0.1"',
      'addresses=[]',
      'addresses!=[]',
      'addresses{<}[dynamic,"00:00:00:00:00:04 10.0.0.4 fd00::4"]',
      'addresses{>}[]',
      'addresses<[dynamic,router]',
      'addresses>dynamic',
      'addresses>=[]',
      'addresses<="00:00:00:00:00:01 10.0.0.1"',
      'port_security{>=}"00:00:00:00:00:04 10.0.0.4"',
      'port_security=[]',
      // Map keys: arithmetic operators skip rows without the key, braced ones compare with an empty set.
      'external_ids:owner=team-a',
      'external_ids:owner!=team-a',
      'external_ids:owner<team-b',
      'external_ids:owner>=team-a',
      'external_ids:owner{=}team-a',
      'external_ids:owner{!=}team-a',
      'external_ids:owner{<=}[team-a,team-b]',
      'external_ids:owner{>=}[]',
      'external_ids:owner{<}[team-a]',
      'external_ids:owner{>}[]',
      'external_ids:owner=[]',
      'external_ids:owner{=}[]',
      'external_ids:k8s.ovn.org/pod=ns/web-1',
      'external_ids:"k8s.ovn.org/pod"="ns/web-1"',
      'external_ids:k8s.ovn.org/pod>ns/db-1',
      'external_ids:"a:b"=c/d',
      'external_ids:a\\:b=c/d',
      'external_ids:quote="say \\"hi\\""',
      'external_ids:quote=say "hi"',
      // Whole maps.
      'external_ids={owner=team-a, "k8s.ovn.org/pod"="ns/web-1"}',
      'external_ids{>=}{owner=team-a}',
      'external_ids{>=}owner=team-a',
      'external_ids{<=}{owner=team-a, "k8s.ovn.org/pod"="ns/web-1"}',
      'external_ids={}',
      'external_ids!={}',
      'external_ids{>}{}',
      'external_ids<{owner=team-b}',
      'external_ids>={"k8s.ovn.org/pod"=ns/web-1 owner=team-a}',
      'options:router-port=lrp0',
      'options:network_name{!=}physnet',
      'options={requested-chassis=hv1}',
    ],
    refuse: [
      'name=with space',
      'name=',
      'name=[]',
      'name=p1,p2',
      'name{<=}[p1,p2]',
      'name="p1',
      'name="bad\\q"',
      'name=p1]',
      'name="p1"x',
      'name=p1\\',
      'tag_request{<=}[0,5,7]',
      'tag_request=4-5',
      'tag_request=five',
      'tag_request=5.0',
      'tag_request=0x10',
      'tag_request="5"',
      'tag_request=99999999999999999999',
      'enabled=maybe',
      'enabled=[true,false]',
      'dhcpv4_options=not-a-uuid',
      'dhcpv4_options=@x',
      'addresses={}',
      'addresses=00:00:00:00:00:07',
      'addresses{>=}[dynamic,dynamic]',
      'addresses{>=}[dynamic',
      'external_ids:a:b=c/d',
      'external_ids:owner=team a:b',
      'external_ids:=x',
      'external_ids={owner=team-a,owner=team-b}',
      'external_ids={owner}',
      'external_ids={owner=}',
      'external_ids=[]',
      'external_ids={a=b}x',
      'name:k=v',
      'nosuch=1',
      'name~p1',
      'name',
    ],
  },
  ACL: {
    select: [
      'priority=1000',
      'priority!=1000',
      'priority<1000',
      'priority>1000',
      'priority<=1001',
      'priority>=1001',
      'priority{<=}1000',
      'priority{>=}32767',
      'priority{<}1000',
      'direction=to-lport',
      'direction!=from-lport',
      'action=allow-related',
      'action{<=}drop',
      'action>allow',
      'match=ip4',
      'match="ip4"',
      'match="outport == \\"p1\\" && ip4.src == 10.0.0.2"',
      'match="ip6 && tcp.dst == {80, 443}"',
      'match>ip4',
      'match<"inport"',
      'log=true',
      'log!=true',
      'log=no',
      'severity=alert',
      'severity=[]',
      'severity!=[]',
      'severity{<=}[alert]',
      'name=drop-p2',
      'name=[]',
      'name{<=}drop-p2',
      'name>drop-p2',
      'label=42',
      'label>0',
      'meter=[]',
      'external_ids:stage=test',
      'external_ids:"k/v:x"=1',
      'external_ids:"k/v:x"{!=}1',
      'options:apply-after-lb=true',
      'options={}',
    ],
    refuse: [
      'priority=high',
      'priority{>=}[]',
      'priority=[1000,1001]',
      'priority=',
      'log=[]',
      'log=[true,false]',
      'log=maybe',
      'match=ip4 && ip6',
      'match="ip4',
      'severity=[alert,info]',
    ],
  },
  Address_Set: {
    select: [
      'addresses{>=}10.0.0.2',
      'addresses{<=}[10.0.0.1,10.0.0.2]',
      'addresses=[]',
      'addresses{>}10.0.0.2',
      'addresses{<}[10.0.0.1,10.0.0.2]',
      'addresses=10.0.0.1,10.0.0.2',
      'addresses=10.0.0.2 10.0.0.1',
      'addresses="10.0.0.2"',
      'addresses{>=}"fd00::1"',
      'addresses>[10.0.0.1]',
      'addresses<=[10.0.0.2]',
      'addresses!=[10.0.0.2]',
      'name>as2',
      'name<=as2',
      'external_ids:"k8s.ovn.org/name"=pods',
      'external_ids:owner{=}[]',
    ],
    refuse: ['addresses={}', 'addresses{>=}fd00::1', 'addresses=[10.0.0.1,10.0.0.1]', 'addresses{<=}[10.0.0.1]]'],
  },
  Logical_Switch: {
    select: [
      'ports{>=}$p1',
      'ports{>=}[$p1,$p2]',
      'ports{<=}[$p5,$p6,$p8]',
      'ports=[]',
      'ports{>}[]',
      'ports{>=}$^p1',
      'ports<[$p1,$p2]',
      'acls{>=}$web-in',
      'acls=[]',
      'acls!=[]',
      'external_ids:"owner:team"=blue',
      'external_ids:k8s.ovn.org/network!=default',
      'external_ids:k8s.ovn.org/network{!=}default',
      'other_config:subnet=10.0.0.0/24',
      'other_config:mcast_snoop=true',
      'other_config={}',
      'other_config{>=}{subnet=10.0.0.0/24}',
      'external_ids:note="say \\"hi\\""',
      'name="sw 3"',
      'name=sw\\ 3',
    ],
    refuse: [
      'ports=not-a-uuid',
      'ports{>=}[$p1,$p1]',
      'name=sw 3',
      'external_ids:owner:team=blue',
      'ports{>=}{$p1}',
      'ports={$p1,$p2}',
    ],
  },
};

/** The fixture, in one ovn-nbctl call: switches, ports, ACLs and address sets with varied columns. */
const FIXTURE: string[][] = [
  ['--id=@dhcp', 'create', 'DHCP_Options', 'cidr=10.0.0.0/24'],
  ['ls-add', 'sw0'],
  ['set', 'Logical_Switch', 'sw0', 'external_ids:k8s.ovn.org/network=default', 'external_ids:"owner:team"=blue'],
  ['set', 'Logical_Switch', 'sw0', 'other_config:subnet=10.0.0.0/24', 'other_config:mcast_snoop=true'],
  ['ls-add', 'sw1'],
  ['set', 'Logical_Switch', 'sw1', 'external_ids:k8s.ovn.org/network=secondary'],
  ['ls-add', 'sw2'],
  ['ls-add', 'sw 3'],
  ['set', 'Logical_Switch', 'sw 3', 'external_ids:note="say \\"hi\\""'],
  ['lsp-add', 'sw0', 'p1'],
  ['lsp-set-addresses', 'p1', '00:00:00:00:00:01 10.0.0.1'],
  ['lsp-set-port-security', 'p1', '00:00:00:00:00:01 10.0.0.1'],
  ['set', 'Logical_Switch_Port', 'p1', 'external_ids:k8s.ovn.org/pod=ns/web-1', 'external_ids:owner=team-a'],
  ['set', 'Logical_Switch_Port', 'p1', 'tag_request=5', 'enabled=true', 'dhcpv4_options=@dhcp'],
  ['lsp-add', 'sw0', 'p2'],
  ['lsp-set-addresses', 'p2', 'dynamic'],
  ['set', 'Logical_Switch_Port', 'p2', 'external_ids:k8s.ovn.org/pod=ns/db-1', 'tag_request=100', 'enabled=false'],
  ['set', 'Logical_Switch_Port', 'p2', 'up=false', 'options:requested-chassis=hv1'],
  ['lsp-add', 'sw0', 'p3'],
  ['lsp-set-type', 'p3', 'router'],
  ['lsp-set-addresses', 'p3', 'router'],
  ['lsp-set-options', 'p3', 'router-port=lrp0'],
  ['set', 'Logical_Switch_Port', 'p3', 'external_ids:"a:b"=c/d'],
  ['lsp-add', 'sw0', 'p4'],
  ['lsp-set-addresses', 'p4', '00:00:00:00:00:04 10.0.0.4 fd00::4', 'dynamic'],
  ['lsp-set-port-security', 'p4', '00:00:00:00:00:04 10.0.0.4'],
  ['set', 'Logical_Switch_Port', 'p4', 'tag_request=0'],
  ['lsp-add', 'sw1', 'p5'],
  ['lsp-add', 'sw1', 'p6'],
  ['lsp-set-addresses', 'p6', 'unknown'],
  ['set', 'Logical_Switch_Port', 'p6', 'enabled=true', 'tag_request=4095', 'parent_name=p1'],
  ['set', 'Logical_Switch_Port', 'p6', 'external_ids:owner=team-b', 'external_ids:quote="say \\"hi\\""'],
  ['lsp-add', 'sw1', 'p8'],
  ['lsp-set-addresses', 'p8', '00:00:00:00:00:08 10.0.0.8', '00:00:00:00:00:09 10.0.0.9'],
  ['set', 'Logical_Switch_Port', 'p8', 'up=true', 'tag_request=7'],
  ['set', 'Logical_Switch_Port', 'p8', 'external_ids:owner=team-a', 'external_ids:k8s.ovn.org/pod=ns/web-2'],
  ['lsp-add', 'sw 3', 'with space'],
  ['lsp-set-addresses', 'with space', '00:00:00:00:00:07'],
  ['lsp-set-type', 'with space', 'localnet'],
  ['lsp-set-options', 'with space', 'network_name=physnet'],
  ['acl-add', 'sw0', 'to-lport', '1000', 'outport == "p1" && ip4.src == 10.0.0.2', 'allow-related'],
  ['--log', '--severity=alert', '--name=drop-p2', 'acl-add', 'sw0', 'from-lport', '1001', 'inport == "p2"', 'drop'],
  ['acl-add', 'sw1', 'to-lport', '0', 'ip4', 'allow'],
  ['--log', 'acl-add', 'sw1', 'from-lport', '32767', 'ip6 && tcp.dst == {80, 443}', 'reject'],
  [
    '--id=@web',
    'create',
    'ACL',
    'name=web-in',
    'priority=1000',
    'direction=to-lport',
    'action=allow',
    'match="ip4.dst == 10.0.0.0/8"',
    'label=42',
    'external_ids:stage=test',
    'external_ids:"k/v:x"=1',
    'options:apply-after-lb=true',
  ],
  ['add', 'Logical_Switch', 'sw2', 'acls', '@web'],
  ['create', 'Address_Set', 'name=as1', 'addresses=10.0.0.1,10.0.0.2', 'external_ids:owner=team-a'],
  ['create', 'Address_Set', 'name=as2', 'addresses=10.0.0.2'],
  ['create', 'Address_Set', 'name=as3'],
  ['create', 'Address_Set', 'name=as4', 'addresses="fd00::1","10.0.0.0/24"', 'external_ids:"k8s.ovn.org/name"=pods'],
];

type Outcome = { uuids: string[] } | { refused: string };

let server: OvsdbServerProcess;
let client: OvsdbClient;
let schema: DatabaseSchema;
/** Each table's rows as `select` returns them. */
const rows = new Map<string, Row[]>();
/** Row name → uuid, for `$name` in clauses. */
const ids = new Map<string, string>();
/** ovn-nbctl's answer per `table clause` (clause as written in CASES). */
const theirs = new Map<string, Outcome>();

const nbctl = (...args: string[]): Promise<string> => ovnNbctl(server.unixRemote!, ...args);

function expand(clause: string): string {
  return clause.replace(/\$(\^?)([\w-]+)/g, (_, upper: string, name: string) => {
    const uuid = ids.get(name);
    if (uuid === undefined) throw new Error(`no row called ${name}`);
    return upper ? uuid.toUpperCase() : uuid;
  });
}

function refusal(err: unknown): string {
  if (err instanceof CommandError && err.exitCode !== 0) return err.stderr.trim();
  throw err;
}

/** `ovn-nbctl find` for several clauses in one process: one JSON table per command, in order. */
async function findAll(table: string, clauses: readonly string[]): Promise<string[][]> {
  const args = ['--format=json'];
  for (const c of clauses) args.push('--', '--columns=_uuid', 'find', table, expand(c));
  const lines = (await nbctl(...args)).split('\n').filter((l) => l.trim() !== '');
  expect(lines).toHaveLength(clauses.length);
  return lines.map((l) => {
    const out = JSON.parse(l) as { data: [['uuid', string]][] };
    return out.data.map(([[, uuid]]) => uuid).sort();
  });
}

async function findOne(table: string, clause: string): Promise<Outcome> {
  try {
    return { uuids: (await findAll(table, [clause]))[0]! };
  } catch (err) {
    return { refused: refusal(err) };
  }
}

/** Runs `fn` over `items`, at most `limit` at a time (each is a process spawn). */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function tableOf(name: string): TableSchema {
  const t = schema.tables.get(name);
  if (!t) throw new Error(`no table ${name}`);
  return t;
}

/** Our answer: the uuids our predicates select, or the FilterError's reason. */
function ours(table: string, clause: string): Outcome {
  let predicates;
  try {
    predicates = parseFilter(tableOf(table), [expand(clause)]);
  } catch (err) {
    if (err instanceof FilterError) return { refused: err.reason };
    throw err;
  }
  const selected = (rows.get(table) ?? []).filter((r) => predicates.every((p) => p(r)));
  return { uuids: selected.map((r) => r._uuid as string).sort() };
}

beforeAll(async () => {
  server = await startOvsdbServer({ schemas: [OVN_NB_SCHEMA], unix: true });
  await nbctl(...FIXTURE.flatMap((cmd) => ['--', ...cmd]));
  client = await OvsdbClient.connect(server.unixRemote!);
  schema = await client.getSchema(NB);
  const tables = [...Object.keys(CASES), 'DHCP_Options'];
  const results = await client.transact(
    NB,
    tables.map((table) => ({ op: 'select', table, where: [] })),
  );
  tables.forEach((table, i) => {
    const wire = (results[i] as { rows: Json[] }).rows;
    const decoded = wire.map((r) => rowFromWire(tableOf(table), r));
    rows.set(table, decoded);
    for (const r of decoded) if (typeof r.name === 'string') ids.set(r.name, r._uuid as string);
    for (const r of decoded)
      if (Array.isArray(r.name) && typeof r.name[0] === 'string') ids.set(r.name[0], r._uuid as string);
  });
  ids.set('dhcp', rows.get('DHCP_Options')![0]!._uuid as string);

  for (const [table, { select, refuse }] of Object.entries(CASES)) {
    // One process for all the clauses of a table that should pass; if ovn-nbctl refuses one of them the
    // whole call fails, and then each clause gets its own process so the case that differs is named.
    try {
      const answers = await findAll(table, select);
      select.forEach((c, i) => theirs.set(`${table} ${c}`, { uuids: answers[i]! }));
    } catch (err) {
      refusal(err);
      await pool(select, 8, async (c) => void theirs.set(`${table} ${c}`, await findOne(table, c)));
    }
    await pool(refuse, 8, async (c) => void theirs.set(`${table} ${c}`, await findOne(table, c)));
  }
}, 120_000);

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

const SELECT = Object.entries(CASES).flatMap(([table, c]) => c.select.map((clause) => [table, clause] as const));
const REFUSE = Object.entries(CASES).flatMap(([table, c]) => c.refuse.map((clause) => [table, clause] as const));

describe('find clauses select the rows ovn-nbctl find selects', () => {
  it.each(SELECT)('%s %s', (table, clause) => {
    const want = theirs.get(`${table} ${clause}`);
    expect(want, 'ovn-nbctl accepts the clause').toHaveProperty('uuids');
    expect(ours(table, clause)).toEqual(want);
  });

  it.each(REFUSE)('%s %s is refused by both', (table, clause) => {
    expect(theirs.get(`${table} ${clause}`), 'ovn-nbctl refuses the clause').toHaveProperty('refused');
    expect(ours(table, clause)).toHaveProperty('refused');
  });

  it('the rows tell the clauses apart: most select some rows but not all', () => {
    const telling = SELECT.filter(([table, clause]) => {
      const n = (theirs.get(`${table} ${clause}`) as { uuids?: string[] }).uuids?.length ?? 0;
      return n > 0 && n < rows.get(table)!.length;
    });
    expect(telling.length).toBeGreaterThan(SELECT.length * 0.7);
  });
});

/** Where we differ from ovn-nbctl on purpose: both answers, side by side. */
describe('deliberate differences from ovn-nbctl', () => {
  const uuidsOf = (...names: string[]): { uuids: string[] } => ({
    uuids: names.map((n) => ids.get(n)!).sort(),
  });

  it('values are not checked against the column constraints: outside them, they simply match nothing', async () => {
    for (const [table, clause] of [
      ['Logical_Switch_Port', 'tag_request=5000'],
      ['ACL', 'direction=sideways'],
      ['ACL', 'priority=-1'],
    ] as const) {
      expect(await findOne(table, clause)).toEqual({ refused: expect.stringMatching(/constraint violation/) });
      expect(ours(table, clause)).toEqual({ uuids: [] });
    }
    // Still a value to compare with: every port's tag_request (or none) is below 5000.
    expect(await findOne('Logical_Switch_Port', 'tag_request<5000')).toHaveProperty('refused');
    expect(ours('Logical_Switch_Port', 'tag_request<5000')).toEqual({
      uuids: rows
        .get('Logical_Switch_Port')!
        .map((r) => r._uuid as string)
        .sort(),
    });
  });

  it('_uuid is a column to filter on, which ovn-nbctl find does not offer', async () => {
    expect(await findOne('Logical_Switch_Port', '_uuid=$p1')).toEqual({
      refused: expect.stringMatching(/does not contain a column whose name matches "_uuid"/),
    });
    expect(ours('Logical_Switch_Port', '_uuid=$p1')).toEqual(uuidsOf('p1'));
  });

  it('column names are exact: no abbreviations, no case folding', async () => {
    for (const clause of ['nam=p1', 'NAME=p1', 'tag-request=5']) {
      expect(await findOne('Logical_Switch_Port', clause)).toEqual(uuidsOf('p1'));
      expect(ours('Logical_Switch_Port', clause)).toHaveProperty('refused');
    }
    expect(ours('Logical_Switch_Port', 'nam=p1')).toEqual({ refused: 'no column nam in table Logical_Switch_Port' });
  });

  it('spaces before the column and around the operator are allowed', async () => {
    for (const clause of [' name=p1', 'name =p1', 'external_ids:owner =team-b']) {
      expect(await findOne('Logical_Switch_Port', clause)).toHaveProperty('refused');
    }
    expect(ours('Logical_Switch_Port', ' name=p1')).toEqual(uuidsOf('p1'));
    expect(ours('Logical_Switch_Port', 'name =p1')).toEqual(uuidsOf('p1'));
    expect(ours('Logical_Switch_Port', 'external_ids:owner =team-b')).toEqual(uuidsOf('p6'));
  });

  it('{in} and {not-in} (Open vSwitch 2.16) are not operators here', async () => {
    expect(await findOne('Logical_Switch_Port', 'addresses{in}[dynamic,router]')).toEqual(uuidsOf('p2', 'p3', 'p5'));
    expect(await findOne('Logical_Switch_Port', 'addresses{not-in}[dynamic]')).toHaveProperty('uuids');
    expect(ours('Logical_Switch_Port', 'addresses{in}[dynamic,router]')).toHaveProperty('refused');
    expect(ours('Logical_Switch_Port', 'addresses{not-in}[dynamic]')).toHaveProperty('refused');
  });
});
