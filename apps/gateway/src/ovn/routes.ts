/**
 * OVN knowledge on the gateway's whole-database copy, for the guided editors and the Problems view:
 * - `GET …/problems`: every lint problem of an OVN_Northbound database (recomputed when the data changed);
 * - `POST …/ovn/check`: the rules for one ACL, Logical_Switch_Port, Port_Group or Address_Set as edited;
 * - `GET …/ovn/mentions?name=`: the ACLs whose match names a port group (`@name`) or address set (`$name`).
 */
import type { FastifyInstance } from 'fastify';
import { isJsonObject, rowFromWire, type Json, type Row } from '@ovsdb-web/client';
import {
  buildMatchContext,
  checkAcl,
  checkAddressSet,
  checkLogicalSwitchPort,
  checkPortGroup,
  lexMatch,
  lintNorthbound,
  nbFeaturesFromSchema,
  type AclOwner,
  type LintProblem,
  type NbSnapshot,
  type RuleResult,
} from '@ovsdb-web/ovn';
import { schemas } from '@ovsdb-web/protocol';
import type { Gateway } from '../app.js';
import type { Feed } from '../feeds/feed.js';
import { badRequest, notFound } from '../plugins/errors.js';
import { nbSnapshot } from './snapshot.js';

interface DbParams {
  remote: string;
  db: string;
}

const NB = 'OVN_Northbound';

/** Snapshots and lint results by feed, remade only when the feed has moved on. */
const cache = new WeakMap<Feed, { seq: number; snapshot: NbSnapshot; problems?: LintProblem[] }>();

function snapshotOf(feed: Feed): { seq: number; snapshot: NbSnapshot; problems?: LintProblem[] } {
  let c = cache.get(feed);
  if (c?.seq !== feed.seq) {
    const snapshot = nbSnapshot(
      { rows: (t) => feed.rows(t), hasTable: (t) => feed.table(t) !== undefined },
      nbFeaturesFromSchema(feed.schema.json),
    );
    c = { seq: feed.seq, snapshot };
    cache.set(feed, c);
  }
  return c;
}

function nbFeed(gateway: Gateway, p: DbParams): Feed {
  const feed = gateway.remotes.feed(p.remote, p.db);
  if (feed.schema.name !== NB) throw notFound(`the OVN rules apply to ${NB}; ${p.db} is ${feed.schema.name}`);
  return feed;
}

/** A row as edited (wire notation, some columns) with the stored row's other columns, as a snapshot row of its table. */
function editedRow(feed: Feed, table: string, uuid: string | undefined, values: Json): Row {
  const schema = feed.table(table);
  if (!schema) throw notFound(`table ${table} is not monitored`);
  const stored = uuid ? feed.row(table, uuid) : undefined;
  const typed = rowFromWire(schema, values, { fillDefaults: stored === undefined });
  return { ...(stored ?? {}), ...typed, _uuid: uuid ?? '00000000-0000-0000-0000-000000000000' };
}

/** The one row a single-row snapshot holds; none means the edited values did not make a row of the table. */
function theRow<T>(rows: readonly T[], table: string): T {
  const row = rows[0];
  if (row === undefined) throw badRequest(`row is not a valid ${table} row`);
  return row;
}

export async function ovnRoutes(app: FastifyInstance, { gateway }: { gateway: Gateway }): Promise<void> {
  app.get<{ Params: DbParams }>(
    '/api/v1/remotes/:remote/dbs/:db/problems',
    { schema: { params: schemas.dbParams } },
    async (req) => {
      const feed = nbFeed(gateway, req.params);
      const c = snapshotOf(feed);
      c.problems ??= lintNorthbound(c.snapshot);
      const problems = c.problems.map((p) => {
        const label = feed.label(p.table, p.uuid);
        return label === undefined ? p : { ...p, label };
      });
      return { seq: c.seq, problems: problems as unknown as Json };
    },
  );

  app.post<{
    Params: DbParams;
    Body: { table: string; uuid?: string; row: Json; attachedTo?: AclOwner[]; logicalSwitch?: string };
  }>(
    '/api/v1/remotes/:remote/dbs/:db/ovn/check',
    {
      schema: {
        params: schemas.dbParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['table', 'row'],
          properties: {
            table: { type: 'string', enum: ['ACL', 'Logical_Switch_Port', 'Port_Group', 'Address_Set'] },
            uuid: { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' },
            row: { type: 'object' },
            attachedTo: {
              type: 'array',
              maxItems: 16,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['table', 'uuid'],
                properties: {
                  table: { type: 'string', enum: ['Logical_Switch', 'Port_Group'] },
                  uuid: { type: 'string' },
                },
              },
            },
            logicalSwitch: { type: 'string' },
          },
        },
      },
    },
    async (req) => {
      const feed = nbFeed(gateway, req.params);
      const { snapshot } = snapshotOf(feed);
      const { table, uuid, row, attachedTo, logicalSwitch } = req.body;
      if (!isJsonObject(row)) throw badRequest('row must be an object');
      const edited = editedRow(feed, table, uuid, row);
      // The edited row replaces the stored one, so the rules compare it with the others, not with itself.
      const one = nbSnapshot(
        { rows: (t) => (t === table ? [edited] : []), hasTable: () => true },
        { aclTiers: snapshot.aclTiers ?? false },
      );
      let result: RuleResult;
      switch (table) {
        case 'ACL': {
          const acl = theRow(one.acls, table);
          const others = { ...snapshot, acls: [...snapshot.acls.filter((a) => a.uuid !== acl.uuid), acl] };
          result = checkAcl(acl, { snapshot: others, ...(attachedTo ? { attachedTo } : {}) });
          break;
        }
        case 'Logical_Switch_Port': {
          const lsp = theRow(one.logicalSwitchPorts, table);
          const original = uuid ? snapshot.logicalSwitchPorts.find((p) => p.uuid === uuid) : undefined;
          const others = {
            ...snapshot,
            logicalSwitchPorts: [...snapshot.logicalSwitchPorts.filter((p) => p.uuid !== lsp.uuid), lsp],
          };
          result = checkLogicalSwitchPort(lsp, {
            snapshot: others,
            ...(logicalSwitch ? { logicalSwitch } : {}),
            ...(original ? { original } : { isNew: true }),
          });
          break;
        }
        case 'Port_Group': {
          const pg = theRow(one.portGroups, table);
          result = checkPortGroup(pg, {
            snapshot: { ...snapshot, portGroups: [...snapshot.portGroups.filter((p) => p.uuid !== pg.uuid), pg] },
          });
          break;
        }
        default: {
          const as = theRow(one.addressSets, table);
          result = checkAddressSet(as, {
            snapshot: { ...snapshot, addressSets: [...snapshot.addressSets.filter((a) => a.uuid !== as.uuid), as] },
          });
        }
      }
      return result;
    },
  );

  // What a match may name, for the editor's completion and checks: address sets (derived ones included) with
  // their addresses, port groups with their ports' names. Port names themselves are left out (a big list).
  app.get<{ Params: DbParams }>(
    '/api/v1/remotes/:remote/dbs/:db/ovn/match-context',
    { schema: { params: schemas.dbParams } },
    async (req) => {
      const feed = nbFeed(gateway, req.params);
      const ctx = buildMatchContext(snapshotOf(feed).snapshot);
      return {
        addressSets: Object.fromEntries(
          [...(ctx.addressSets ?? new Map<string, readonly string[]>())].map(([k, v]) => [k, [...v]]),
        ),
        portGroups: Object.fromEntries(
          [...(ctx.portGroups ?? new Map<string, readonly string[]>())].map(([k, v]) => [k, [...v]]),
        ),
      };
    },
  );

  // The ACLs of a logical switch or port group, in the order `ovn-nbctl acl-list` prints them.
  app.get<{ Params: DbParams; Querystring: { owner: string } }>(
    '/api/v1/remotes/:remote/dbs/:db/ovn/acls',
    {
      schema: {
        params: schemas.dbParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['owner'],
          properties: { owner: { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' } },
        },
      },
    },
    async (req) => {
      const feed = nbFeed(gateway, req.params);
      const { snapshot } = snapshotOf(feed);
      const owner = req.query.owner.toLowerCase();
      const holder =
        snapshot.logicalSwitches.find((x) => x.uuid === owner) ?? snapshot.portGroups.find((x) => x.uuid === owner);
      if (!holder) throw notFound(`no logical switch or port group ${owner}`);
      const byUuid = new Map(snapshot.acls.map((a) => [a.uuid, a]));
      const acls = holder.acls.flatMap((u) => {
        const a = byUuid.get(u);
        return a ? [a] : [];
      });
      const dir = (d: string): number => (d === 'from-lport' ? 0 : 1);
      acls.sort(
        (a, b) =>
          (b.tier ?? 0) - (a.tier ?? 0) ||
          dir(a.direction) - dir(b.direction) ||
          b.priority - a.priority ||
          (a.match < b.match ? -1 : a.match > b.match ? 1 : 0),
      );
      return {
        acls: acls.map((a) => ({
          uuid: a.uuid,
          name: a.name ?? '',
          direction: a.direction,
          priority: a.priority,
          match: a.match,
          action: a.action,
          log: a.log,
          ...(a.severity !== undefined ? { severity: a.severity } : {}),
          ...(a.tier !== undefined ? { tier: a.tier } : {}),
        })),
      };
    },
  );

  app.get<{ Params: DbParams; Querystring: { name: string; kind?: 'port-group' | 'address-set' } }>(
    '/api/v1/remotes/:remote/dbs/:db/ovn/mentions',
    {
      schema: {
        params: schemas.dbParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 256 },
            kind: { type: 'string', enum: ['port-group', 'address-set'] },
          },
        },
      },
    },
    async (req) => {
      const feed = nbFeed(gateway, req.params);
      const { snapshot } = snapshotOf(feed);
      const { name, kind } = req.query;
      // A port group is named as @name and through the sets ovn-northd derives from it ($name_ip4, $name_ip6).
      const pg = kind !== 'address-set';
      const as = kind !== 'port-group';
      const acls = snapshot.acls.filter((a) =>
        lexMatch(a.match).some(
          (t) =>
            (pg && t.kind === 'portGroup' && t.text === `@${name}`) ||
            (pg && t.kind === 'addressSet' && (t.text === `$${name}_ip4` || t.text === `$${name}_ip6`)) ||
            (as && t.kind === 'addressSet' && t.text === `$${name}`),
        ),
      );
      return {
        acls: acls.map((a) => ({
          uuid: a.uuid,
          name: a.name ?? '',
          direction: a.direction,
          priority: a.priority,
          match: a.match,
          action: a.action,
        })),
      };
    },
  );
}
