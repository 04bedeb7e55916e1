/**
 * The ten transaction operations of RFC 7047 §5.2 as they travel (ovsdb-server's `execution.c` has the
 * same ten), and the shape of their results.
 */
import type { Json } from './json.js';
import type { WireCondition, WireMutation, WireRow } from './notation.js';
import type { OvsdbErrorObject } from './errors.js';

export interface InsertOperation {
  op: 'insert';
  table: string;
  row?: WireRow;
  'uuid-name'?: string;
  /** OVS 2.13+ extension: the UUID the new row must get. */
  uuid?: string;
}
export interface SelectOperation {
  op: 'select';
  table: string;
  where: WireCondition[];
  columns?: string[];
}
export interface UpdateOperation {
  op: 'update';
  table: string;
  where: WireCondition[];
  row: WireRow;
}
export interface MutateOperation {
  op: 'mutate';
  table: string;
  where: WireCondition[];
  mutations: WireMutation[];
}
export interface DeleteOperation {
  op: 'delete';
  table: string;
  where: WireCondition[];
}
export interface WaitOperation {
  op: 'wait';
  table: string;
  where: WireCondition[];
  columns: string[];
  until: '==' | '!=';
  rows: WireRow[];
  timeout?: number;
}
export interface CommitOperation {
  op: 'commit';
  durable: boolean;
}
export interface AbortOperation {
  op: 'abort';
}
export interface CommentOperation {
  op: 'comment';
  comment: string;
}
export interface AssertOperation {
  op: 'assert';
  lock: string;
}

export type Operation =
  | InsertOperation
  | SelectOperation
  | UpdateOperation
  | MutateOperation
  | DeleteOperation
  | WaitOperation
  | CommitOperation
  | AbortOperation
  | CommentOperation
  | AssertOperation;

export type OperationName = Operation['op'];
export const OPERATION_NAMES: readonly OperationName[] = [
  'insert',
  'select',
  'update',
  'mutate',
  'delete',
  'wait',
  'commit',
  'abort',
  'comment',
  'assert',
];

/** One element of a transact reply: `{uuid}`, `{rows}`, `{count}`, `{}`, an error object, or `null` after a failure. */
export type OperationResult =
  | { uuid: ['uuid', string] }
  | { rows: WireRow[] }
  | { count: number }
  | Record<string, never>
  | OvsdbErrorObject
  | null;

export function isErrorResult(r: Json | OperationResult | undefined): r is OvsdbErrorObject {
  return (
    typeof r === 'object' && r !== null && !Array.isArray(r) && typeof (r as { error?: unknown }).error === 'string'
  );
}
