/**
 * The REST bodies of `/api/v1` and the JSON schemas the gateway's routes declare for them. Request schemas
 * are enforced exactly (no type coercion in bodies, no stripped properties: what is not declared is refused);
 * response schemas document the answers and are checked in the gateway's tests.
 */
import {
  OPERATION_NAMES,
  type Json,
  type OperationResult,
  type PlanEffect,
  type PlanProblem,
  type WireRow,
} from '@ovsdb-web/client/core';
import { ERROR_CODES } from './errors.js';

export type Role = 'viewer' | 'editor' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'editor', 'admin'];

export interface WhoAmI {
  name: string;
  role: Role;
  /** The gateway refuses every transaction (`--read-only`). */
  readOnly: boolean;
  /** Whether the gateway needs a token at all (an auth file is configured). */
  authRequired: boolean;
}

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface RemoteStatus {
  name: string;
  /** As configured: `unix:…`, `tcp:…`, `ssl:…` or a comma-separated cluster. */
  remote: string;
  status: ConnectionState;
  databases: string[];
  /** The member the gateway talks to now. */
  member?: string;
  /** For a clustered database, the member that `_Server` reports as leader (normally `member`). */
  leader?: string;
  clustered: boolean;
  /** Why the remote is not connected, in plain words. */
  lastError?: string;
  /** The kind of `lastError`, for an icon. */
  problem?: 'unreachable' | 'auth' | 'tls' | 'not_leader' | 'unresponsive' | 'protocol' | 'other';
}

export interface TableStats {
  name: string;
  rows: number;
  /** Row changes per bucket, oldest first; the last bucket is the current, partial one. */
  changes: number[];
}

export interface DatabaseStats {
  remote: string;
  db: string;
  /** `syncing` until the first snapshot is in the cache; `resyncing` while rebuilding it after a reconnect. */
  state: 'syncing' | 'live' | 'resyncing' | 'offline';
  epoch: string;
  seq: number;
  /** Length of one `changes` bucket. */
  bucketMs: number;
  tables: TableStats[];
}

export interface RowsPage {
  /** Rows matching `where`, before paging. */
  total: number;
  rows: WireRow[];
}

export interface TransactRequest {
  operations: Json[];
  dryRun?: boolean;
}

export interface TransactResponse {
  results: OperationResult[];
  dryRun?: true;
}

/** Ask what a transaction would do, without sending it. */
export interface PlanRequest {
  operations: Json[];
}

export interface PlanCheck {
  /** Who made the check: the gateway (schema and its cache) or ovsdb-server (a dry run). */
  by: 'gateway' | 'server';
  name: 'schema' | 'references' | 'unique-indexes' | 'commit-rules' | 'dry-run';
  ok: boolean;
  message: string;
  operationIndex?: number;
  table?: string;
  column?: string;
}

export interface PlanResponse {
  /** Rows inserted, updated and deleted — by the operations and by the server's own rules at commit. */
  effects: PlanEffect[];
  problems: PlanProblem[];
  checks: PlanCheck[];
  /** Placeholder uuids of the rows the transaction would insert, by uuid-name. */
  newRows: Record<string, string>;
  /** What no check before the commit can promise. */
  caveats: string[];
}

export interface AuditEntry {
  time: string;
  user: string;
  role: string;
  clientAddress: string;
  userAgent?: string;
  remote: string;
  db: string;
  dryRun: boolean;
  operations?: Json;
  body?: { bytes: number };
  status: number;
  result?: Json;
  error?: Json;
  comment?: string;
  durationMs: number;
}

export interface AuditPage {
  /** false when the gateway runs without --audit-log. */
  enabled: boolean;
  /** Entries matching the filters, before paging; newest first. */
  total: number;
  entries: AuditEntry[];
}

export interface RowVersion {
  /** The feed batch that produced this version (0: older than the retained history). */
  seq: number;
  /** ms since the epoch when the gateway received it (absent for the oldest known version). */
  time?: number;
  kind: 'initial' | 'insert' | 'modify' | 'delete';
  /** The row after the change; absent for a delete. */
  row?: WireRow;
  /** For modify: the columns that changed. */
  columns?: string[];
}

export interface RowHistory {
  table: string;
  uuid: string;
  /** Versions, oldest first, among the batches the gateway retains. */
  versions: RowVersion[];
  /** The oldest batch still retained, and how many the gateway keeps. */
  retainedFromSeq: number;
  retention: { batches: number; bytes: number };
}

export interface Reference {
  /** The column holding the reference, and for a map whether the uuid is its key or its value. */
  column: string;
  in?: 'key' | 'value';
  table: string;
  uuid: string;
  /** The referenced (or referencing) row's display name, when it has one. */
  label?: string;
  /** false for a dangling reference (weak references to deleted rows are removed by OVSDB). */
  exists: boolean;
  refType: 'strong' | 'weak';
}

export interface RowReferences {
  table: string;
  uuid: string;
  /** References this row holds. */
  outgoing: Reference[];
  /** Rows that reference this one, and from which column. */
  incoming: Reference[];
}

// ---- JSON schemas ---------------------------------------------------------------------------------------

const NAME = { type: 'string', minLength: 1, maxLength: 256 } as const;

export const schemas = {
  dbParams: {
    type: 'object',
    additionalProperties: false,
    required: ['remote', 'db'],
    properties: { remote: NAME, db: NAME },
  },
  tableParams: {
    type: 'object',
    additionalProperties: false,
    required: ['remote', 'db', 'table'],
    properties: { remote: NAME, db: NAME, table: NAME },
  },
  rowParams: {
    type: 'object',
    additionalProperties: false,
    required: ['remote', 'db', 'table', 'uuid'],
    properties: {
      remote: NAME,
      db: NAME,
      table: NAME,
      uuid: {
        type: 'string',
        pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
      },
    },
  },
  rowsQuery: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 0, maximum: 100_000, default: 1_000 },
      offset: { type: 'integer', minimum: 0, default: 0 },
      sort: { type: 'string', maxLength: 4_096 },
      where: {
        anyOf: [
          { type: 'string', maxLength: 65_536 },
          { type: 'array', maxItems: 64, items: { type: 'string', maxLength: 65_536 } },
        ],
      },
    },
  },
  transactBody: {
    type: 'object',
    additionalProperties: false,
    required: ['operations'],
    properties: {
      operations: {
        type: 'array',
        minItems: 1,
        maxItems: 10_000,
        items: {
          type: 'object',
          required: ['op'],
          properties: { op: { type: 'string', enum: [...OPERATION_NAMES] } },
        },
      },
      dryRun: { type: 'boolean' },
    },
  },
  errorBody: {
    type: 'object',
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        additionalProperties: false,
        properties: { code: { type: 'string', enum: [...ERROR_CODES] }, message: { type: 'string' }, details: {} },
      },
    },
  },
  whoAmI: {
    type: 'object',
    required: ['name', 'role', 'readOnly', 'authRequired'],
    additionalProperties: false,
    properties: {
      name: { type: 'string' },
      role: { type: 'string', enum: ['viewer', 'editor', 'admin'] },
      readOnly: { type: 'boolean' },
      authRequired: { type: 'boolean' },
    },
  },
  remoteStatus: {
    type: 'object',
    required: ['name', 'remote', 'status', 'databases', 'clustered'],
    additionalProperties: false,
    properties: {
      name: { type: 'string' },
      remote: { type: 'string' },
      status: { type: 'string', enum: ['connecting', 'connected', 'reconnecting', 'closed'] },
      databases: { type: 'array', items: { type: 'string' } },
      member: { type: 'string' },
      leader: { type: 'string' },
      clustered: { type: 'boolean' },
      lastError: { type: 'string' },
      problem: {
        type: 'string',
        enum: ['unreachable', 'auth', 'tls', 'not_leader', 'unresponsive', 'protocol', 'other'],
      },
    },
  },
  databaseStats: {
    type: 'object',
    required: ['remote', 'db', 'state', 'epoch', 'seq', 'bucketMs', 'tables'],
    additionalProperties: false,
    properties: {
      remote: { type: 'string' },
      db: { type: 'string' },
      state: { type: 'string', enum: ['syncing', 'live', 'resyncing', 'offline'] },
      epoch: { type: 'string' },
      seq: { type: 'integer', minimum: 0 },
      bucketMs: { type: 'integer', minimum: 1 },
      tables: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'rows', 'changes'],
          additionalProperties: false,
          properties: {
            name: { type: 'string' },
            rows: { type: 'integer' },
            changes: { type: 'array', items: { type: 'integer' } },
          },
        },
      },
    },
  },
  rowsPage: {
    type: 'object',
    required: ['total', 'rows'],
    additionalProperties: false,
    properties: {
      total: { type: 'integer', minimum: 0 },
      rows: { type: 'array', items: { type: 'object', required: ['_uuid'], properties: { _uuid: { type: 'array' } } } },
    },
  },
  planBody: {
    type: 'object',
    additionalProperties: false,
    required: ['operations'],
    properties: {
      operations: {
        type: 'array',
        minItems: 1,
        maxItems: 10_000,
        items: { type: 'object', required: ['op'], properties: { op: { type: 'string', enum: [...OPERATION_NAMES] } } },
      },
    },
  },
  planResponse: {
    type: 'object',
    required: ['effects', 'problems', 'checks', 'newRows', 'caveats'],
    additionalProperties: false,
    properties: {
      effects: {
        type: 'array',
        items: {
          type: 'object',
          required: ['table', 'uuid', 'kind', 'cause', 'columns'],
          properties: {
            table: { type: 'string' },
            uuid: { type: 'string' },
            kind: { type: 'string', enum: ['insert', 'update', 'delete'] },
            cause: { type: 'string', enum: ['operation', 'unreferenced', 'weak-reference'] },
            columns: { type: 'array' },
          },
        },
      },
      problems: {
        type: 'array',
        items: {
          type: 'object',
          required: ['kind', 'table', 'message'],
          properties: { kind: { type: 'string' }, table: { type: 'string' }, message: { type: 'string' } },
        },
      },
      checks: {
        type: 'array',
        items: {
          type: 'object',
          required: ['by', 'name', 'ok', 'message'],
          properties: {
            by: { type: 'string', enum: ['gateway', 'server'] },
            name: { type: 'string' },
            ok: { type: 'boolean' },
            message: { type: 'string' },
          },
        },
      },
      newRows: { type: 'object' },
      caveats: { type: 'array', items: { type: 'string' } },
    },
  },
  auditQuery: {
    type: 'object',
    additionalProperties: false,
    properties: {
      user: { type: 'string', maxLength: 256 },
      remote: { type: 'string', maxLength: 256 },
      db: { type: 'string', maxLength: 256 },
      table: { type: 'string', maxLength: 256 },
      result: { type: 'string', enum: ['ok', 'error', 'dry_run'] },
      since: { type: 'string', maxLength: 64 },
      until: { type: 'string', maxLength: 64 },
      limit: { type: 'integer', minimum: 1, maximum: 1_000, default: 100 },
      offset: { type: 'integer', minimum: 0, default: 0 },
    },
  },
  auditPage: {
    type: 'object',
    required: ['enabled', 'total', 'entries'],
    additionalProperties: false,
    properties: {
      enabled: { type: 'boolean' },
      total: { type: 'integer', minimum: 0 },
      entries: {
        type: 'array',
        items: {
          type: 'object',
          required: ['time', 'user', 'role', 'remote', 'db', 'status'],
          properties: {
            time: { type: 'string' },
            user: { type: 'string' },
            role: { type: 'string' },
            remote: { type: 'string' },
            db: { type: 'string' },
            status: { type: 'integer' },
          },
        },
      },
    },
  },
  transactResponse: {
    type: 'object',
    required: ['results'],
    additionalProperties: false,
    properties: { results: { type: 'array', items: { type: 'object' } }, dryRun: { const: true } },
  },
  rowHistory: {
    type: 'object',
    required: ['table', 'uuid', 'versions', 'retainedFromSeq', 'retention'],
    additionalProperties: false,
    properties: {
      table: { type: 'string' },
      uuid: { type: 'string' },
      retainedFromSeq: { type: 'integer' },
      retention: {
        type: 'object',
        required: ['batches', 'bytes'],
        additionalProperties: false,
        properties: { batches: { type: 'integer' }, bytes: { type: 'integer' } },
      },
      versions: {
        type: 'array',
        items: {
          type: 'object',
          required: ['seq', 'kind'],
          additionalProperties: false,
          properties: {
            seq: { type: 'integer' },
            time: { type: 'integer' },
            kind: { type: 'string', enum: ['initial', 'insert', 'modify', 'delete'] },
            row: { type: 'object' },
            columns: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
  },
  rowReferences: {
    type: 'object',
    required: ['table', 'uuid', 'outgoing', 'incoming'],
    additionalProperties: false,
    properties: {
      table: { type: 'string' },
      uuid: { type: 'string' },
      outgoing: { type: 'array', items: { $ref: '#/$defs/reference' } },
      incoming: { type: 'array', items: { $ref: '#/$defs/reference' } },
    },
    $defs: {
      reference: {
        type: 'object',
        required: ['column', 'table', 'uuid', 'exists', 'refType'],
        additionalProperties: false,
        properties: {
          column: { type: 'string' },
          in: { type: 'string', enum: ['key', 'value'] },
          table: { type: 'string' },
          uuid: { type: 'string' },
          label: { type: 'string' },
          exists: { type: 'boolean' },
          refType: { type: 'string', enum: ['strong', 'weak'] },
        },
      },
    },
  },
} as const;
