/**
 * One change applied to every row the current (filtered) view shows, as one transaction: set a column,
 * set or remove a map key, or delete the rows. It is prepared here and then goes through the same plan,
 * guards (each row's changed columns), dry run and commit as any edit.
 */
import { useState, type ReactNode } from 'react';
import { parseJson, type DatabaseSchema, type TableSchema, type WireDatum, type WireRow } from '@ovsdb-web/client/core';
import { atomFromText } from '@ovsdb-web/ui';
import type { ViewHandle } from '../engine/client.js';
import { buildOperations, type Edit } from './ops.js';
import type { EditMode } from './session.js';
import { formatCount } from '../app/format.js';

type Action = 'set' | 'set-key' | 'remove-key' | 'delete';

function mapWith(w: WireDatum | undefined, key: WireDatum, value: WireDatum | undefined): WireDatum {
  const pairs = Array.isArray(w) && w[0] === 'map' ? w[1] : [];
  const k = JSON.stringify(key);
  const rest = pairs.filter((p) => JSON.stringify(p[0]) !== k);
  return ['map', value === undefined ? rest : [...rest, [key, value] as never]];
}

export function BulkEdit({
  schema,
  table,
  view,
  count,
  onReady,
  onClose,
}: {
  schema: DatabaseSchema;
  table: TableSchema;
  view: ViewHandle;
  count: number;
  onReady: (mode: EditMode) => void;
  onClose: () => void;
}): ReactNode {
  const scalars = [...table.columns.values()].filter((c) => c.mutable && c.type.value === undefined && c.type.max <= 1);
  const maps = [...table.columns.values()].filter((c) => c.mutable && c.type.value !== undefined);
  const [action, setAction] = useState<Action>('set');
  const [column, setColumn] = useState(scalars[0]?.name ?? maps[0]?.name ?? '');
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const columns = action === 'set' ? scalars : action === 'delete' ? [] : maps;
  const col = table.columns.get(column);

  const prepare = async (): Promise<void> => {
    setError(undefined);
    const { text } = await view.export('json', [...table.columns.keys()]);
    const rows = parseJson(text) as unknown as WireRow[];
    if (rows.length === 0) {
      setError('The view shows no row.');
      return;
    }
    const edits: Edit[] = [];
    for (const row of rows) {
      const uuid = Array.isArray(row._uuid) ? String(row._uuid[1]) : '';
      if (action === 'delete') {
        edits.push({ kind: 'delete', table: table.name, uuid, base: row });
        continue;
      }
      if (!col) return;
      let next: WireDatum;
      if (action === 'set') {
        const atom = atomFromText(col.type.key, value);
        next = col.type.min >= 1 ? atom : value === '' ? ['set', []] : ['set', [atom]];
      } else {
        const k = atomFromText(col.type.key, key);
        next = mapWith(
          row[column],
          k,
          action === 'set-key' ? atomFromText(col.type.value ?? col.type.key, value) : undefined,
        );
      }
      edits.push({ kind: 'update', table: table.name, uuid, base: row, values: { [column]: next } });
    }
    const built = buildOperations(schema, edits);
    if (built.operations.length === 0) {
      setError('Every row already has that value: nothing to change.');
      return;
    }
    const what =
      action === 'delete'
        ? 'delete'
        : action === 'set'
          ? `set ${column}`
          : action === 'set-key'
            ? `set ${column}:${key}`
            : `remove ${column}:${key}`;
    onReady({
      kind: 'raw',
      title: `${what} on ${formatCount(rows.length)} ${table.name} rows`,
      operations: built.operations,
      guards: built.guards,
    });
  };

  return (
    <div className="ow-dialog-backdrop" onClick={onClose}>
      <form
        className="ow-dialog ow-bulk"
        role="dialog"
        aria-label="Bulk edit"
        onClick={(e) => e.stopPropagation()}
        onSubmit={(e) => {
          e.preventDefault();
          void prepare();
        }}
      >
        <h2>Change every row shown ({formatCount(count)})</h2>
        <p className="ow-muted ow-small">
          One transaction; each row guarded on what it changes. You will see the plan before anything is sent.
        </p>
        <label className="ow-label" htmlFor="ow-bulk-action">
          Change
        </label>
        <select
          id="ow-bulk-action"
          className="ow-input ow-select"
          value={action}
          onChange={(e) => {
            const a = e.target.value as Action;
            setAction(a);
            setColumn((a === 'set' ? scalars[0]?.name : maps[0]?.name) ?? '');
          }}
        >
          <option value="set">set a column</option>
          {maps.length > 0 && <option value="set-key">set a map key</option>}
          {maps.length > 0 && <option value="remove-key">remove a map key</option>}
          {table.isRoot && <option value="delete">delete the rows</option>}
        </select>
        {columns.length > 0 && (
          <>
            <label className="ow-label" htmlFor="ow-bulk-column">
              Column
            </label>
            <select
              id="ow-bulk-column"
              className="ow-input ow-select"
              value={column}
              onChange={(e) => setColumn(e.target.value)}
            >
              {columns.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
            </select>
          </>
        )}
        {(action === 'set-key' || action === 'remove-key') && (
          <>
            <label className="ow-label" htmlFor="ow-bulk-key">
              Key
            </label>
            <input id="ow-bulk-key" className="ow-input" value={key} onChange={(e) => setKey(e.target.value)} />
          </>
        )}
        {(action === 'set' || action === 'set-key') && (
          <>
            <label className="ow-label" htmlFor="ow-bulk-value">
              Value
            </label>
            <input
              id="ow-bulk-value"
              className="ow-input"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              placeholder={action === 'set' && col?.type.min === 0 ? 'empty: unset' : ''}
            />
          </>
        )}
        {error && (
          <p className="ow-error-text" role="alert">
            {error}
          </p>
        )}
        <div className="ow-banner-actions">
          <button type="submit" className="ow-button ow-primary">
            Prepare the plan
          </button>
          <button type="button" className="ow-button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </div>
  );
}
