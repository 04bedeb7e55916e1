/**
 * The plan of an edit, read top to bottom: what changes, table by table (+ insert, ~ update with each
 * column's old → new, − delete), what ovsdb-server will do on its own at commit (rows it collects, weak
 * references it drops, deletes it refuses), the guards that protect what the edit read, the checks made so
 * far and by whom, what no check can promise, and the exact transaction.
 */
import type { ReactNode } from 'react';
import {
  stringifyJson,
  type ColumnType,
  type DatabaseSchema,
  type Json,
  type PlanEffect,
  type PlanProblem,
  type WireDatum,
  type WireRow,
} from '@ovsdb-web/client/core';
import { ChangeView } from '../values/diff.js';
import { DatumView, shortUuid, type ValueContext } from '../values/datum.js';

export interface PlanCheckView {
  by: 'gateway' | 'server';
  name: string;
  ok: boolean;
  message: string;
}

export interface PlanGuardView {
  table: string;
  label: string;
  columns: readonly string[];
}

export interface PlanViewProps {
  schema: DatabaseSchema;
  effects: readonly PlanEffect[] | undefined;
  problems: readonly PlanProblem[];
  guards: readonly PlanGuardView[];
  checks: readonly PlanCheckView[];
  caveats: readonly string[];
  /** The exact RFC 7047 JSON, pretty-printed. */
  transaction: string;
  ctx: ValueContext;
  /** Names of rows the transaction inserts, by their placeholder uuid. */
  newNames: Readonly<Record<string, string>>;
}

function rowName(e: PlanEffect, newNames: Readonly<Record<string, string>>, ctx: ValueContext): string {
  const row: WireRow | undefined = e.after ?? e.before;
  const n = row?.name;
  if (typeof n === 'string' && n !== '') return n;
  return newNames[e.uuid] ?? ctx.labels[e.uuid] ?? shortUuid(e.uuid);
}

const CAUSE: Record<PlanEffect['cause'], string> = {
  operation: '',
  unreferenced: 'by ovsdb-server: nothing references it any more',
  'weak-reference': 'by ovsdb-server: weak reference to a deleted row removed',
};

function EffectLine({
  e,
  schema,
  ctx,
  newNames,
}: {
  e: PlanEffect;
  schema: DatabaseSchema;
  ctx: ValueContext;
  newNames: Readonly<Record<string, string>>;
}): ReactNode {
  const table = schema.tables.get(e.table);
  const sign = e.kind === 'insert' ? '+' : e.kind === 'delete' ? '−' : '~';
  return (
    <li className={`ow-plan-effect ow-plan-${e.kind}${e.cause !== 'operation' ? ' ow-plan-cascade' : ''}`}>
      <div className="ow-plan-effect-head">
        <span className="ow-plan-sign" aria-hidden="true">
          {sign}
        </span>
        <span className={`ow-kind ow-kind-${e.kind === 'update' ? 'modify' : e.kind}`}>{e.kind}</span>
        <span className="ow-plan-row">{rowName(e, newNames, ctx)}</span>
        {e.cause !== 'operation' && <span className="ow-plan-cause">{CAUSE[e.cause]}</span>}
        {e.operationIndex !== undefined && <span className="ow-muted ow-small">op {e.operationIndex}</span>}
      </div>
      {table && e.kind !== 'delete' && e.columns.length > 0 && (
        <div className="ow-plan-columns">
          {e.columns.map((c) => {
            const type: ColumnType | undefined = table.columns.get(c.column)?.type;
            if (!type) return null;
            return (
              <div key={c.column} className="ow-change-col">
                <span className="ow-field-name">{c.column}</span>
                {e.kind === 'insert' ? (
                  <DatumView type={type} value={c.new as WireDatum | undefined} ctx={ctx} />
                ) : (
                  <ChangeView
                    type={type}
                    old={c.old as WireDatum | undefined}
                    now={c.new as WireDatum | undefined}
                    ctx={ctx}
                  />
                )}
              </div>
            );
          })}
        </div>
      )}
    </li>
  );
}

export function PlanView(props: PlanViewProps): ReactNode {
  const { effects, schema, ctx } = props;
  const byTable = new Map<string, PlanEffect[]>();
  for (const e of effects ?? []) {
    const list = byTable.get(e.table) ?? [];
    list.push(e);
    byTable.set(e.table, list);
  }
  return (
    <div className="ow-plan">
      <section aria-label="Changes">
        <h3>Changes</h3>
        {effects === undefined && <p className="ow-muted">Press Preview to see what this edit will do.</p>}
        {effects?.length === 0 && <p className="ow-muted">This edit changes nothing.</p>}
        {[...byTable].map(([table, list]) => (
          <div key={table} className="ow-plan-table">
            <div className="ow-plan-table-name">{table}</div>
            <ul>
              {list.map((e, i) => (
                <EffectLine key={`${e.uuid}/${i}`} e={e} schema={schema} ctx={ctx} newNames={props.newNames} />
              ))}
            </ul>
          </div>
        ))}
      </section>
      {props.problems.length > 0 && (
        <section aria-label="Problems" className="ow-plan-problems">
          <h3>Will fail</h3>
          <ul>
            {props.problems.map((p, i) => (
              <li key={i} className="ow-error-text">
                {p.message}
              </li>
            ))}
          </ul>
        </section>
      )}
      <section aria-label="Guards">
        <h3>Guards</h3>
        {props.guards.length === 0 ? (
          <p className="ow-muted">Nothing this edit read needs guarding (it only inserts).</p>
        ) : (
          <ul className="ow-plan-guards">
            {props.guards.map((g, i) => (
              <li key={i}>
                <code>wait</code> {g.table} <b>{g.label}</b> still has the {g.columns.join(', ')}{' '}
                {g.columns.length > 1 ? 'values' : 'value'} this edit read — or nothing is applied
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-label="Checks">
        <h3>Checks</h3>
        <ul className="ow-plan-checks">
          {props.checks.map((c, i) => (
            <li key={i} className={c.ok ? 'ow-check-ok' : 'ow-check-bad'}>
              <span className="ow-check-mark" aria-hidden="true">
                {c.ok ? '✓' : '✗'}
              </span>
              <span className="ow-check-by">{c.by === 'gateway' ? 'gateway' : 'ovsdb-server (dry run)'}</span>
              <span>{c.message}</span>
            </li>
          ))}
          {props.checks.length === 0 && <li className="ow-muted">Not checked yet.</li>}
        </ul>
        {props.caveats.length > 0 && (
          <ul className="ow-plan-caveats">
            {props.caveats.map((c, i) => (
              <li key={i}>{c}</li>
            ))}
          </ul>
        )}
      </section>
      <section aria-label="Transaction" className="ow-plan-json">
        <h3>Transaction (RFC 7047)</h3>
        <pre>{props.transaction}</pre>
      </section>
    </div>
  );
}

/** JSON pretty-printed one operation per line, as long as it reads well. */
export function formatOperations(db: string, operations: readonly Json[]): string {
  return `[${JSON.stringify(db)},\n${operations.map((o) => ` ${stringifyJson(o)}`).join(',\n')}\n]`;
}
