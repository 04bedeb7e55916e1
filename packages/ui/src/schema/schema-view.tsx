/**
 * A database schema for people: its tables (root or not, maxRows, indexes), each column's type with its
 * constraints, and the references between tables as a picture (strong references solid, weak ones dashed;
 * the selected table's edges highlighted).
 */
import { useMemo, useState, type ReactNode } from 'react';
import type { DatabaseSchema, TableSchema } from '@ovsdb-web/client/core';
import { constraintText, typeText } from '../values/datum.js';

interface Edge {
  from: string;
  to: string;
  column: string;
  weak: boolean;
}

export function schemaEdges(schema: DatabaseSchema): Edge[] {
  const out: Edge[] = [];
  for (const t of schema.tables.values()) {
    for (const c of t.columns.values()) {
      for (const b of [c.type.key, c.type.value]) {
        if (b?.type === 'uuid' && b.refTable !== undefined)
          out.push({ from: t.name, to: b.refTable, column: c.name, weak: b.refType === 'weak' });
      }
    }
  }
  return out;
}

export function SchemaGraph({
  schema,
  selected,
  onSelect,
}: {
  schema: DatabaseSchema;
  selected: string | undefined;
  onSelect: (t: string) => void;
}): ReactNode {
  const names = useMemo(() => [...schema.tables.keys()].sort(), [schema]);
  const edges = useMemo(() => schemaEdges(schema), [schema]);
  const size = 640;
  const r = size / 2 - 90;
  const cx = size / 2;
  const cy = size / 2;
  const pos = new Map(
    names.map((n, i) => [
      n,
      {
        x: cx + r * Math.cos((2 * Math.PI * i) / names.length - Math.PI / 2),
        y: cy + r * Math.sin((2 * Math.PI * i) / names.length - Math.PI / 2),
      },
    ]),
  );
  const related = new Set<string>();
  if (selected)
    for (const e of edges)
      if (e.from === selected || e.to === selected) related.add(e.from === selected ? e.to : e.from);
  return (
    <svg
      className="ow-schema-graph"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={`References between the tables of ${schema.name}`}
    >
      <defs>
        <marker
          id="ow-arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="6"
          markerHeight="6"
          orient="auto-start-reverse"
        >
          <path d="M 0 0 L 10 5 L 0 10 z" className="ow-graph-arrow" />
        </marker>
      </defs>
      {edges.map((e, i) => {
        const a = pos.get(e.from);
        const b = pos.get(e.to);
        if (!a || !b) return null;
        const hot = selected !== undefined && (e.from === selected || e.to === selected);
        const path =
          e.from === e.to
            ? `M ${a.x} ${a.y} c 40 -40 60 20 0 8`
            : `M ${a.x} ${a.y} Q ${cx + (a.x + b.x - 2 * cx) * 0.15} ${cy + (a.y + b.y - 2 * cy) * 0.15} ${b.x} ${b.y}`;
        return (
          <path
            key={i}
            d={path}
            className={`ow-graph-edge${e.weak ? ' ow-weak' : ''}${hot ? ' ow-hot' : selected ? ' ow-dim' : ''}`}
            markerEnd="url(#ow-arrow)"
          >
            <title>{`${e.from}.${e.column} → ${e.to}${e.weak ? ' (weak)' : ''}`}</title>
          </path>
        );
      })}
      {names.map((n) => {
        const p = pos.get(n);
        if (!p) return null;
        const t = schema.tables.get(n) as TableSchema;
        const cls = n === selected ? ' ow-selected' : related.has(n) ? ' ow-related' : selected ? ' ow-dim' : '';
        const w = Math.max(60, n.length * 6.4 + 14);
        return (
          <g
            key={n}
            className={`ow-graph-node${cls}${t.isRoot ? ' ow-root' : ''}`}
            transform={`translate(${p.x - w / 2}, ${p.y - 11})`}
            onClick={() => onSelect(n)}
            role="button"
            aria-label={`${n} in the graph`}
          >
            <rect width={w} height={22} rx={5} />
            <text x={w / 2} y={15} textAnchor="middle">
              {n}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function TableSchemaView({
  table,
  edges,
  onSelect,
}: {
  table: TableSchema;
  edges: readonly Edge[];
  onSelect: (t: string) => void;
}): ReactNode {
  const incoming = edges.filter((e) => e.to === table.name);
  return (
    <div className="ow-table-schema">
      <h2>{table.name}</h2>
      <p className="ow-muted">
        {table.isRoot
          ? 'Root table: rows stay until deleted.'
          : 'Not a root table: a row that no strong reference reaches is deleted by the server.'}
        {table.maxRows !== undefined && ` At most ${table.maxRows} rows.`}
      </p>
      {table.indexes.length > 0 && (
        <p>
          Unique indexes:{' '}
          {table.indexes.map((ix) => (
            <code key={ix.join(',')} className="ow-index">
              ({ix.join(', ')})
            </code>
          ))}
        </p>
      )}
      <table className="ow-columns-table">
        <thead>
          <tr>
            <th scope="col">Column</th>
            <th scope="col">Type</th>
            <th scope="col">Constraints</th>
          </tr>
        </thead>
        <tbody>
          {[...table.columns.values()].map((c) => {
            const cons = [
              ...constraintText(c.type.key),
              ...(c.type.value ? constraintText(c.type.value).map((x) => `value ${x}`) : []),
            ];
            const ref = c.type.key.refTable ?? c.type.value?.refTable;
            return (
              <tr key={c.name}>
                <th scope="row">
                  <code>{c.name}</code>
                </th>
                <td>
                  {typeText(c.type)}
                  {ref && (
                    <>
                      {' '}
                      <button type="button" className="ow-link-button" onClick={() => onSelect(ref)}>
                        open {ref}
                      </button>
                    </>
                  )}
                </td>
                <td>
                  {[...cons, ...(c.mutable ? [] : ['immutable']), ...(c.ephemeral ? ['ephemeral'] : [])].join('; ') || (
                    <span className="ow-muted">—</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h3>Referenced by</h3>
      {incoming.length === 0 ? (
        <p className="ow-muted">No table references {table.name}.</p>
      ) : (
        <ul className="ow-ref-list">
          {incoming.map((e) => (
            <li key={`${e.from}.${e.column}`}>
              <button type="button" className="ow-link-button" onClick={() => onSelect(e.from)}>
                {e.from}
              </button>
              <code>.{e.column}</code> {e.weak ? '(weak)' : '(strong)'}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function SchemaView({ schema, initial }: { schema: DatabaseSchema; initial?: string }): ReactNode {
  const names = useMemo(() => [...schema.tables.keys()].sort(), [schema]);
  const [selected, setSelected] = useState<string | undefined>(initial ?? names[0]);
  const [q, setQ] = useState('');
  const edges = useMemo(() => schemaEdges(schema), [schema]);
  const table = selected ? schema.tables.get(selected) : undefined;
  return (
    <div className="ow-schema">
      <div className="ow-schema-list">
        <input
          className="ow-input"
          aria-label="Find a table"
          placeholder="Find a table…"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <ul>
          {names
            .filter((n) => n.toLowerCase().includes(q.toLowerCase()))
            .map((n) => (
              <li key={n}>
                <button
                  type="button"
                  className={`ow-schema-item${n === selected ? ' ow-active' : ''}`}
                  onClick={() => setSelected(n)}
                  aria-current={n === selected ? 'true' : undefined}
                >
                  {n}
                  <span className="ow-muted">{schema.tables.get(n)?.columns.size} cols</span>
                </button>
              </li>
            ))}
        </ul>
      </div>
      <div className="ow-schema-main">
        <div className="ow-schema-head">
          <h1 className="ow-page-title ow-inline">
            {schema.name} <span className="ow-muted">version {schema.version}</span>
          </h1>
        </div>
        <div className="ow-schema-body">
          {table && <TableSchemaView table={table} edges={edges} onSelect={setSelected} />}
          <SchemaGraph schema={schema} selected={selected} onSelect={setSelected} />
        </div>
      </div>
    </div>
  );
}
