/**
 * Model generator: turns a database schema into one TypeScript module of row types, insert types and
 * name constants, typed exactly as `data/value.ts` represents values.
 *
 * The output depends only on the schema (tables, columns and enum values are sorted), so regenerating
 * from an unchanged schema gives a byte-identical file and a diff of two outputs is a diff of schemas.
 * Rows and inserts are object type aliases, not interfaces: only aliases are assignable to index-signature
 * types such as the builder's `Readonly<Record<string, unknown>>`, so a typed row can go wherever an
 * untyped one is accepted.
 *
 * Formatting is done here by hand in the style prettier would produce (2 spaces, single quotes, 120
 * columns), so the files need no formatter pass and no formatter dependency.
 */
import type { AtomValue, BaseType, ColumnSchema, ColumnType, DatabaseSchema, TableSchema } from '../schema/schema.js';
import { isScalar } from '../schema/schema.js';

export interface GenerateOptions {
  /** Extra text for the header comment, typically the command that regenerates the file. May span lines. */
  header?: string;
  /** The module the output imports `Integer`, `Uuid` and `NamedUuid` from (default `@ovsdb-web/client`). */
  importFrom?: string;
}

export const DEFAULT_IMPORT_FROM = '@ovsdb-web/client';

const WIDTH = 120;

// ---------------------------------------------------------------------------------------------------------
// Names

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Names the generated module declares or refers to besides the per-table types. A table whose type name
 * would be one of these gets a suffix instead, so e.g. a table called `Record` cannot shadow the global.
 */
const FIXED_NAMES = [
  'Integer',
  'Uuid',
  'NamedUuid',
  'DATABASE',
  'SCHEMA_VERSION',
  'SCHEMA_CKSUM',
  'TABLES',
  'COLUMNS',
  'TableName',
  'Array',
  'Partial',
  'Readonly',
  'ReadonlyArray',
  'ReadonlyMap',
  'Record',
];

/** `Logical_Switch_Port` → `LogicalSwitchPort`; anything that is not a letter or digit separates words. */
export function pascalCase(name: string, fallback = 'Table'): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const joined = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  if (joined === '') return fallback;
  // A type name cannot start with a digit; a leading capital also keeps it clear of every reserved word.
  return /^[0-9]/.test(joined) ? `T${joined}` : joined;
}

/** A single-quoted TypeScript string literal. */
export function quote(s: string): string {
  const body = JSON.stringify(s)
    .slice(1, -1)
    .replace(/\\"/g, '"')
    .replace(/'/g, "\\'")
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return `'${body}'`;
}

/** A property key: bare when it is an identifier (reserved words are fine there), quoted otherwise. */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : quote(name);
}

export interface TypeNames {
  /** Table name → the row type's name; `${name}Insert` and `${name}Columns` go with it. */
  readonly tables: ReadonlyMap<string, string>;
  /** `<Db>Tables`: table name → row type. */
  readonly tablesMap: string;
  /** `<Db>Inserts`: table name → insert type. */
  readonly insertsMap: string;
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Assign every generated identifier, resolving clashes in sorted table order so the result is stable. */
export function typeNames(schema: DatabaseSchema): TypeNames {
  const db = pascalCase(schema.name, 'Database');
  const tablesMap = `${db}Tables`;
  const insertsMap = `${db}Inserts`;
  const used = new Set([...FIXED_NAMES, tablesMap, insertsMap]);
  const tables = new Map<string, string>();
  for (const table of [...schema.tables.keys()].sort(byCodeUnit)) {
    const base = pascalCase(table);
    for (let i = 1; ; i++) {
      const candidate = i === 1 ? base : i === 2 ? `${base}Row` : `${base}Row${i - 1}`;
      const all = [candidate, `${candidate}Insert`, `${candidate}Columns`];
      if (all.some((n) => used.has(n))) continue;
      for (const n of all) used.add(n);
      tables.set(table, candidate);
      break;
    }
  }
  return { tables, tablesMap, insertsMap };
}

// ---------------------------------------------------------------------------------------------------------
// Type expressions, printed flat when they fit and broken over lines (prettier's way) when they do not

type TypeExpr =
  | { readonly kind: 'name'; readonly text: string }
  | { readonly kind: 'union'; readonly members: readonly TypeExpr[] }
  | { readonly kind: 'array'; readonly element: TypeExpr }
  | { readonly kind: 'generic'; readonly name: string; readonly args: readonly TypeExpr[] };
type UnionExpr = Extract<TypeExpr, { kind: 'union' }>;

const named = (text: string): TypeExpr => ({ kind: 'name', text });
const array = (element: TypeExpr): TypeExpr => ({ kind: 'array', element });
const generic = (name: string, ...args: TypeExpr[]): TypeExpr => ({ kind: 'generic', name, args });

function union(members: readonly TypeExpr[]): TypeExpr {
  const flatMembers = members.flatMap((m) => (m.kind === 'union' ? m.members : [m]));
  const first = flatMembers[0];
  return flatMembers.length === 1 && first !== undefined ? first : { kind: 'union', members: flatMembers };
}

function flat(t: TypeExpr): string {
  switch (t.kind) {
    case 'name':
      return t.text;
    case 'union':
      return t.members.map(flat).join(' | ');
    case 'array':
      return t.element.kind === 'union' ? `readonly (${flat(t.element)})[]` : `readonly ${flat(t.element)}[]`;
    case 'generic':
      return `${t.name}<${t.args.map(flat).join(', ')}>`;
  }
}

const spaces = (n: number): string => ' '.repeat(n);

/** Union members one per line, each led by `| `; `trail` goes after the last. */
function unionLines(t: UnionExpr, indent: number, trail: string): string {
  const last = t.members.length - 1;
  return t.members
    .map((m, i) => {
      const end = i === last ? trail : '';
      return `${spaces(indent)}| ${inline(m, indent + 2, indent + 2, end.length)}${end}`;
    })
    .join('\n');
}

/** A type that starts mid-line at column `col`; continuation lines are indented relative to `indent`. */
function inline(t: TypeExpr, indent: number, col: number, trailLength: number): string {
  const f = flat(t);
  if (col + f.length + trailLength <= WIDTH) return f;
  switch (t.kind) {
    case 'name':
    case 'union': // never reached for a broken union: callers put unions on their own lines first
      return f;
    case 'array':
      if (t.element.kind === 'union') {
        // As prettier: the members go on one line inside the parentheses when they fit there.
        const members = `${spaces(indent + 2)}${flat(t.element)}`;
        const body = members.length <= WIDTH ? members : unionLines(t.element, indent + 2, '');
        return `readonly (\n${body}\n${spaces(indent)})[]`;
      }
      return `readonly ${inline(t.element, indent, col + 9, trailLength + 2)}[]`;
    case 'generic': {
      const last = t.args.length - 1;
      const args = t.args.map((a, i) => block(a, indent + 2, i === last ? '' : ','));
      return `${t.name}<\n${args.join('\n')}\n${spaces(indent)}>`;
    }
  }
}

/** A type that starts its own line at `indent`. */
function block(t: TypeExpr, indent: number, trail: string): string {
  const f = flat(t);
  if (indent + f.length + trail.length <= WIDTH) return `${spaces(indent)}${f}${trail}`;
  if (t.kind === 'union') return unionLines(t, indent, trail);
  return `${spaces(indent)}${inline(t, indent, indent, trail.length)}${trail}`;
}

/** `readonly name: Type;`, broken over lines when too long. */
function member(indent: number, head: string, t: TypeExpr): string {
  const oneLine = `${spaces(indent)}${head} ${flat(t)};`;
  if (oneLine.length <= WIDTH) return oneLine;
  if (t.kind === 'union') {
    // As prettier: the whole union on the next line when it fits there, else one member per line.
    const next = `${spaces(indent + 2)}${flat(t)};`;
    return `${spaces(indent)}${head}\n${next.length <= WIDTH ? next : unionLines(t, indent + 2, ';')}`;
  }
  return `${spaces(indent)}${head} ${inline(t, indent, indent + head.length + 1, 1)};`;
}

/** A TSDoc comment, on one line when it fits, else word-wrapped. */
function docComment(indent: number, text: string): string[] {
  // A name or enum value could contain "*/" or a line break; neither may end or split the comment.
  const safe = text.replace(/\*\//g, '*\\/').replace(/[\r\n\u2028\u2029]+/g, ' ');
  const pad = spaces(indent);
  const oneLine = `${pad}/** ${safe} */`;
  if (oneLine.length <= WIDTH) return [oneLine];
  const lines: string[] = [];
  let line = '';
  for (const word of safe.split(' ')) {
    if (line !== '' && pad.length + 3 + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return [`${pad}/**`, ...lines.map((l) => `${pad} * ${l}`), `${pad} */`];
}

// ---------------------------------------------------------------------------------------------------------
// OVSDB types → TypeScript types

function compareAtoms(a: AtomValue, b: AtomValue): number {
  if (typeof a === 'string' && typeof b === 'string') return byCodeUnit(a, b);
  // number and bigint compare correctly with each other; false < true as numbers.
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

function literal(v: AtomValue): string {
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'bigint') return `${v}n`;
  return String(v);
}

class ImportTracker {
  readonly used = new Set<'Integer' | 'NamedUuid' | 'Uuid'>();
  use(name: 'Integer' | 'NamedUuid' | 'Uuid'): TypeExpr {
    this.used.add(name);
    return named(name);
  }
}

function enumType(base: BaseType): TypeExpr | undefined {
  if (base.enum === undefined || base.enum.length === 0) return undefined;
  return union([...base.enum].sort(compareAtoms).map((v) => named(literal(v))));
}

/** One atom as a row holds it. */
function rowAtom(base: BaseType, imports: ImportTracker): TypeExpr {
  const e = enumType(base);
  if (e) return e;
  switch (base.type) {
    case 'integer':
      return imports.use('Integer');
    case 'real':
      return named('number');
    case 'boolean':
      return named('boolean');
    case 'string':
      return named('string');
    case 'uuid':
      return imports.use('Uuid');
  }
}

/** One atom as a transaction accepts it: a uuid may also name a row inserted by the same transaction. */
function insertAtom(base: BaseType, imports: ImportTracker): TypeExpr {
  const atom = rowAtom(base, imports);
  return base.type === 'uuid' ? union([atom, imports.use('NamedUuid')]) : atom;
}

function rowColumnType(type: ColumnType, imports: ImportTracker): TypeExpr {
  if (type.value !== undefined) return generic('ReadonlyMap', rowAtom(type.key, imports), rowAtom(type.value, imports));
  const atom = rowAtom(type.key, imports);
  return isScalar(type) ? atom : array(atom);
}

function insertColumnType(type: ColumnType, imports: ImportTracker): TypeExpr {
  const key = insertAtom(type.key, imports);
  if (type.value !== undefined) {
    const value = insertAtom(type.value, imports);
    // Plain-object keys are always strings; an enum of strings can still narrow them.
    const keyEnum = type.key.type === 'string' ? enumType(type.key) : undefined;
    const record = keyEnum
      ? generic('Partial', generic('Record', keyEnum, value))
      : generic('Record', named('string'), value);
    return union([generic('ReadonlyMap', key, value), record]);
  }
  return isScalar(type) ? key : union([key, array(key)]);
}

// ---------------------------------------------------------------------------------------------------------
// Descriptions for TSDoc

function range(lo: number | bigint | undefined, hi: number | bigint | undefined): string {
  if (lo !== undefined && hi !== undefined) return `${lo}..${hi}`;
  if (lo !== undefined) return `>= ${lo}`;
  if (hi !== undefined) return `<= ${hi}`;
  return '';
}

/** "integer 0..32767", "string, length 1..4", "uuid → Logical_Switch_Port (strong)", "string enum". */
export function describeBase(base: BaseType): string {
  const parts: string[] = [base.enum !== undefined ? `${base.type} enum` : base.type];
  if (base.type === 'integer') parts.push(range(base.minInteger, base.maxInteger));
  if (base.type === 'real') parts.push(range(base.minReal, base.maxReal));
  const text = parts.filter((p) => p !== '').join(' ');
  if (base.type === 'string') {
    const length = range(base.minLength, base.maxLength);
    if (length !== '') return `${text}, length ${length}`;
  }
  if (base.refTable !== undefined) return `${text} → ${base.refTable} (${base.refType ?? 'strong'})`;
  return text;
}

/** "integer", "set of 0..unlimited uuid → Port (strong)", "map of 0..unlimited (string, string) pairs". */
export function describeType(type: ColumnType): string {
  if (isScalar(type)) return describeBase(type.key);
  const count = `${type.min}..${type.max === Infinity ? 'unlimited' : type.max}`;
  if (type.value !== undefined) return `map of ${count} (${describeBase(type.key)}, ${describeBase(type.value)}) pairs`;
  return `set of ${count} ${describeBase(type.key)}`;
}

function describeColumn(table: TableSchema, column: ColumnSchema): string {
  const notes = [describeType(column.type)];
  if (!column.mutable) notes.push('mutable: false');
  if (column.ephemeral) notes.push('ephemeral');
  for (const index of table.indexes) {
    if (!index.includes(column.name)) continue;
    notes.push(
      index.length === 1 ? 'unique' : `unique together with ${index.filter((c) => c !== column.name).join(', ')}`,
    );
  }
  return notes.join('; ');
}

function describeTable(dbName: string, table: TableSchema): string {
  const notes = [`A row of ${dbName} table ${table.name}`];
  notes.push(table.isRoot ? 'root table' : 'not root: the server deletes rows that no strong reference reaches');
  if (table.maxRows !== undefined) notes.push(`at most ${table.maxRows} row${table.maxRows === 1 ? '' : 's'}`);
  if (table.indexes.length > 0)
    notes.push(`unique indexes ${table.indexes.map((i) => `(${i.join(', ')})`).join(', ')}`);
  return `${notes.join('; ')}.`;
}

// ---------------------------------------------------------------------------------------------------------
// The module

function stringArray(head: string, items: readonly string[], tail: string): string[] {
  const oneLine = `${head}[${items.map(quote).join(', ')}]${tail}`;
  if (oneLine.length <= WIDTH || items.length === 0) return [oneLine];
  return [`${head}[`, ...items.map((i) => `  ${quote(i)},`), `]${tail}`];
}

function objectLiteral(head: string, entries: readonly (readonly [string, string])[], tail: string): string[] {
  if (entries.length === 0) return [`${head}{}${tail}`];
  return [`${head}{`, ...entries.map(([k, v]) => `  ${propertyKey(k)}: ${v},`), `}${tail}`];
}

function typeLiteral(head: string, entries: readonly (readonly [string, string])[]): string[] {
  if (entries.length === 0) return [`${head}{};`];
  return [`${head}{`, ...entries.map(([k, v]) => `  ${propertyKey(k)}: ${v};`), '};'];
}

/** Generate the TypeScript module for one database. */
export function generateModels(schema: DatabaseSchema, opts: GenerateOptions = {}): string {
  const names = typeNames(schema);
  const imports = new ImportTracker();
  const tables = [...schema.tables.values()].sort((a, b) => byCodeUnit(a.name, b.name));
  const typeName = (t: TableSchema): string => names.tables.get(t.name) ?? pascalCase(t.name);
  const body: string[] = [];

  body.push(
    `/** The database name, as \`transact\`, \`monitor\` and \`get_schema\` take it. */`,
    `export const DATABASE = ${quote(schema.name)};`,
    `/** The schema version these types were generated from; compare with the server's to detect drift. */`,
    `export const SCHEMA_VERSION = ${quote(schema.version)};`,
    `/** The schema's checksum as its file declares it, if it does. */`,
    schema.cksum === undefined
      ? `export const SCHEMA_CKSUM = undefined;`
      : `export const SCHEMA_CKSUM = ${quote(schema.cksum)};`,
    '',
    `/** Every table name, so code can say \`TABLES.Logical_Switch\` instead of repeating a string. */`,
    ...objectLiteral(
      'export const TABLES = ',
      tables.map((t) => [t.name, quote(t.name)] as const),
      ' as const;',
    ),
    `export type TableName = keyof typeof TABLES;`,
  );

  for (const table of tables) {
    const name = typeName(table);
    const columns = [...table.columns.values()].sort((a, b) => byCodeUnit(a.name, b.name));
    body.push('', ...docComment(0, describeTable(schema.name, table)), `export type ${name} = {`);
    body.push(`  /** The row's identity, chosen by the server (or by the inserting transaction). */`);
    body.push(member(2, 'readonly _uuid:', imports.use('Uuid')));
    body.push(`  /** Changes with every modification of the row; present only when it was asked for. */`);
    body.push(member(2, 'readonly _version?:', imports.use('Uuid')));
    for (const column of columns) {
      body.push(...docComment(2, describeColumn(table, column)));
      body.push(member(2, `readonly ${propertyKey(column.name)}:`, rowColumnType(column.type, imports)));
    }
    body.push('};');

    body.push(
      '',
      ...docComment(
        0,
        `Column values for inserting or updating ${table.name} rows. All are optional (insert fills in defaults); ` +
          'uuids may also be NamedUuids, sets a bare element, maps a plain object.',
      ),
    );
    if (columns.length === 0) {
      body.push(`export type ${name}Insert = Record<string, never>;`);
    } else {
      body.push(`export type ${name}Insert = {`);
      for (const column of columns) {
        body.push(member(2, `readonly ${propertyKey(column.name)}?:`, insertColumnType(column.type, imports)));
      }
      body.push('};');
    }

    body.push(
      '',
      `/** The columns of ${table.name} as the schema declares them (without \`_uuid\` and \`_version\`), sorted. */`,
      ...stringArray(
        `export const ${name}Columns = `,
        columns.map((c) => c.name),
        ' as const;',
      ),
    );
  }

  body.push(
    '',
    `/** Column names per table. */`,
    ...objectLiteral(
      'export const COLUMNS = ',
      tables.map((t) => [t.name, `${typeName(t)}Columns`] as const),
      ' as const;',
    ),
    '',
    `/** Table name → row type, for APIs typed by table name. */`,
    ...typeLiteral(
      `export type ${names.tablesMap} = `,
      tables.map((t) => [t.name, typeName(t)] as const),
    ),
    '',
    `/** Table name → insert type. */`,
    ...typeLiteral(
      `export type ${names.insertsMap} = `,
      tables.map((t) => [t.name, `${typeName(t)}Insert`] as const),
    ),
  );

  const header = [
    `// Generated by ovsdb-codegen from the ${schema.name} schema, version ${schema.version || '(none)'}` +
      (schema.cksum === undefined ? '.' : `, cksum ${schema.cksum}.`),
    ...(opts.header === undefined ? [] : opts.header.split('\n').map((l) => (l === '' ? '//' : `// ${l}`))),
    '// Do not edit by hand: regenerating overwrites this file.',
  ].map((l) => l.replace(/[\r\u2028\u2029]/g, ' '));
  const importList = [...imports.used].sort(byCodeUnit).join(', ');
  const from = opts.importFrom ?? DEFAULT_IMPORT_FROM;

  return [...header, '', `import type { ${importList} } from ${quote(from)};`, '', ...body, ''].join('\n');
}
