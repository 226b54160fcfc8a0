import type BetterSqlite3 from 'better-sqlite3';
import { FerryError, type ActionOutcome, type JsonRecord, type JsonSchema } from '@ferry/core';
import type { ColumnCatalog } from './column-catalog.js';
import { columnTypeOfSchema, columnTypeOfSqlType, columnTypeOfValue, fromSqlValue, sqlTypeOf, toSqlValue, type ColumnType, type SqlValue } from './column-type.js';
import { assertIdentifier, quoteIdentifier } from './identifier.js';

export interface TableColumn {
  readonly name: string;
  readonly type: ColumnType;
}

export interface WriteResult {
  readonly outcome: ActionOutcome;
  readonly id: string;
}

type Statement = BetterSqlite3.Statement<unknown[], unknown>;
type Row = Record<string, unknown>;

/** Statements for distinct field sets kept at once; records of one pipeline share one or a few. */
const MAX_CACHED_UPSERTS = 256;

/** An upsert for one set of fields: insert if the key is new, else update where a value differs. */
interface UpsertStatements {
  readonly fields: readonly string[];
  readonly insert: Statement;
  readonly update: Statement;
}

/** True when the record's defined fields are exactly `fields`, in that order (what the upsert statements bind). */
function hasExactlyFields(record: JsonRecord, fields: readonly string[]): boolean {
  let index = 0;
  for (const field in record) {
    if (record[field] === undefined) continue;
    if (fields[index] !== field) return false;
    index += 1;
  }
  return index === fields.length;
}

export function isKeyValue(value: unknown): value is string | number | bigint {
  return (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint';
}

function propertySchema(schema: JsonSchema | undefined, field: string): unknown {
  const properties = schema?.['properties'];
  if (typeof properties !== 'object' || properties === null) return undefined;
  return (properties as Record<string, unknown>)[field];
}

/** The type of a new column: the source schema's, else what the first value written to it suggests. */
export function columnTypeFor(field: string, value: unknown, sourceSchema: JsonSchema | undefined): ColumnType {
  const fromSchema = columnTypeOfSchema(propertySchema(sourceSchema, field));
  return fromSchema !== 'any' ? fromSchema : columnTypeOfValue(value);
}

/**
 * One warehouse table: its columns and their JSON types, and prepared statements for upsert, find, delete and
 * keyset-paged reads. Statements are prepared once per distinct set of fields, so a million records of one shape
 * cost one prepare.
 */
export class WarehouseTable {
  private readonly columns = new Map<string, TableColumn>();
  private readonly upserts = new Map<string, UpsertStatements>();
  /** The statements of the previous write: the records of one pipeline nearly always have the same fields. */
  private lastUpsert: UpsertStatements | undefined;
  private readonly statements = new Map<string, Statement>();
  private readonly quoted: string;

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly catalog: ColumnCatalog,
    readonly name: string,
    /** The table's single-column primary key, if it has one. */
    readonly primaryKey: string | undefined,
    columns: readonly TableColumn[],
  ) {
    this.quoted = quoteIdentifier(name);
    for (const column of columns) this.columns.set(column.name.toLowerCase(), column);
  }

  /** Reads an existing table's shape; undefined when there is no such table. */
  static load(db: BetterSqlite3.Database, catalog: ColumnCatalog, name: string): WarehouseTable | undefined {
    const info = db.prepare<[], { name: string; type: string; pk: number }>(`PRAGMA table_info(${quoteIdentifier(name)})`).all();
    if (info.length === 0) return undefined;
    const actualName = db.prepare<[string], { name: string }>("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name = ? COLLATE NOCASE").get(name)?.name ?? name;
    const types = catalog.typesOf(actualName);
    const keys = info.filter((column) => column.pk > 0);
    const columns = info.map((column) => ({ name: column.name, type: types.get(column.name.toLowerCase()) ?? columnTypeOfSqlType(column.type) }));
    return new WarehouseTable(db, catalog, actualName, keys.length === 1 ? keys[0]?.name : undefined, columns);
  }

  /** Creates the table with a primary key column and the given columns (types recorded in the catalog). */
  static create(
    db: BetterSqlite3.Database,
    catalog: ColumnCatalog,
    name: string,
    primaryKey: TableColumn,
    others: readonly TableColumn[],
  ): WarehouseTable {
    // An integer key becomes SQLite's rowid alias: the fastest lookups, and ids are integers by the schema.
    const keyDefinition =
      primaryKey.type === 'integer'
        ? `${quoteIdentifier(primaryKey.name)} INTEGER PRIMARY KEY NOT NULL`
        : `${quoteIdentifier(primaryKey.name)} ${sqlTypeOf(primaryKey.type)} PRIMARY KEY NOT NULL`;
    const definitions = [keyDefinition, ...others.map((column) => `${quoteIdentifier(column.name)} ${sqlTypeOf(column.type)}`.trimEnd())];
    db.exec(`CREATE TABLE ${quoteIdentifier(name)} (${definitions.join(', ')})`);
    for (const column of [primaryKey, ...others]) catalog.record(name, column.name, column.type);
    return new WarehouseTable(db, catalog, name, primaryKey.name, [primaryKey, ...others]);
  }

  columnList(): TableColumn[] {
    return [...this.columns.values()];
  }

  /** The column's name as the table spells it (SQLite names are case-insensitive), or undefined. */
  columnName(name: string): string | undefined {
    return this.columns.get(name.toLowerCase())?.name;
  }

  /** A column keyset paging can order by: the primary key, or a column with a unique index of its own. */
  isUniqueColumn(name: string): boolean {
    if (this.primaryKey?.toLowerCase() === name.toLowerCase()) return true;
    const indexes = this.db.prepare<[], { name: string; unique: number }>(`PRAGMA index_list(${this.quoted})`).all();
    return indexes.some((index) => {
      if (index.unique !== 1) return false;
      const parts = this.db.prepare<[], { name: string | null }>(`PRAGMA index_info(${quoteIdentifier(index.name)})`).all();
      return parts.length === 1 && parts[0]?.name?.toLowerCase() === name.toLowerCase();
    });
  }

  /** Inserts the record, or updates the row with its key; `unchanged` when the row already holds these values. */
  upsert(record: JsonRecord, key: string, sourceSchema: JsonSchema | undefined): WriteResult {
    const keyValue = record[key];
    if (!isKeyValue(keyValue)) throw this.missingKey(key);
    const statements = this.upsertStatements(record, key, sourceSchema);
    const values: SqlValue[] = [];
    for (const field of statements.fields) values.push(toSqlValue(record[field]));
    const id = String(keyValue);
    // A new key is written by the first statement alone; an existing row is then updated where a value differs.
    if (statements.insert.run(values).changes > 0) return { outcome: 'created', id };
    return { outcome: statements.update.run(values).changes > 0 ? 'updated' : 'unchanged', id };
  }

  find(key: string, value: unknown): JsonRecord | undefined {
    if (!isKeyValue(value)) return undefined;
    const row = this.statement('find', key).get(toSqlValue(value));
    return row === undefined ? undefined : this.decode(row as Row);
  }

  delete(key: string, value: unknown): boolean {
    if (!isKeyValue(value)) throw this.missingKey(key);
    return this.statement('delete', key).run(toSqlValue(value)).changes > 0;
  }

  /** Rows ordered by `key`, after `after` (from the start when undefined). */
  page(key: string, after: SqlValue | undefined, limit: number): JsonRecord[] {
    const rows = after === undefined ? this.statement('first', key).all(limit) : this.statement('next', key).all(after, limit);
    return rows.map((row) => this.decode(row as Row));
  }

  /** Rows after `after` (all rows when undefined): the total a read will yield. */
  count(key: string, after: SqlValue | undefined): number {
    const value = after === undefined ? this.statement('count', key).pluck().get() : this.statement('countAfter', key).pluck().get(after);
    return typeof value === 'number' ? value : 0;
  }

  private decode(row: Row): JsonRecord {
    const record: JsonRecord = {};
    for (const name in row) record[name] = fromSqlValue(row[name], this.columns.get(name.toLowerCase())?.type ?? 'any');
    return record;
  }

  private missingKey(key: string): FerryError {
    return new FerryError('SQLITE_MISSING_KEY', `the record has no value for '${key}', the key of table ${this.name}`, {
      hint: `map the source's id into '${key}', or set \`with: { primaryKey: ... }\` to a field every record has`,
      details: { table: this.name, primaryKey: key },
    });
  }

  private addMissingColumns(fields: readonly string[], record: JsonRecord, sourceSchema: JsonSchema | undefined): void {
    const missing = fields.filter((field) => !this.columns.has(field.toLowerCase()));
    for (const field of missing) {
      assertIdentifier(field, 'column', `rename the field in the pipeline's map (e.g. ${field.replace(/[^A-Za-z0-9_]/g, '_').replace(/^([0-9])/, '_$1')}: '${field}')`);
    }
    for (const field of missing) {
      const column = { name: field, type: columnTypeFor(field, record[field], sourceSchema) };
      this.db.exec(`ALTER TABLE ${this.quoted} ADD COLUMN ${quoteIdentifier(field)} ${sqlTypeOf(column.type)}`.trimEnd());
      this.catalog.record(this.name, field, column.type);
      this.columns.set(field.toLowerCase(), column);
    }
  }

  /** The statements for the record's set of fields, prepared (and missing columns added) on first use. */
  private upsertStatements(record: JsonRecord, key: string, sourceSchema: JsonSchema | undefined): UpsertStatements {
    const last = this.lastUpsert;
    if (last !== undefined && hasExactlyFields(record, last.fields)) return last;
    const fields: string[] = [];
    for (const field in record) if (record[field] !== undefined) fields.push(field);
    const signature = fields.join('\u0001');
    let statements = this.upserts.get(signature);
    if (statements === undefined) {
      this.addMissingColumns(fields, record, sourceSchema);
      statements = this.prepareUpsert(fields, key);
      if (this.upserts.size >= MAX_CACHED_UPSERTS) this.upserts.clear();
      this.upserts.set(signature, statements);
    }
    this.lastUpsert = statements;
    return statements;
  }

  private prepareUpsert(fields: readonly string[], key: string): UpsertStatements {
    const columns = fields.map(quoteIdentifier);
    const updates = fields.filter((field) => field.toLowerCase() !== key.toLowerCase()).map(quoteIdentifier);
    const conflict =
      updates.length === 0
        ? 'DO NOTHING'
        : // The WHERE makes a write of identical values change nothing, so a replay reports `unchanged`.
          `DO UPDATE SET ${updates.map((column) => `${column} = excluded.${column}`).join(', ')} WHERE ${updates
            .map((column) => `${this.quoted}.${column} IS NOT excluded.${column}`)
            .join(' OR ')}`;
    const insert = `INSERT INTO ${this.quoted} (${columns.join(', ')}) VALUES (${fields.map(() => '?').join(', ')}) ON CONFLICT (${quoteIdentifier(key)})`;
    return { fields, insert: this.db.prepare(`${insert} DO NOTHING`), update: this.db.prepare(`${insert} ${conflict}`) };
  }

  private statement(kind: 'find' | 'delete' | 'first' | 'next' | 'count' | 'countAfter', key: string): Statement {
    const cacheKey = `${kind}\u0001${key}`;
    const cached = this.statements.get(cacheKey);
    if (cached !== undefined) return cached;
    const k = quoteIdentifier(key);
    const t = this.quoted;
    const sql = {
      find: `SELECT * FROM ${t} WHERE ${k} = ?`,
      delete: `DELETE FROM ${t} WHERE ${k} = ?`,
      first: `SELECT * FROM ${t} ORDER BY ${k} LIMIT ?`,
      next: `SELECT * FROM ${t} WHERE ${k} > ? ORDER BY ${k} LIMIT ?`,
      count: `SELECT count(*) FROM ${t}`,
      countAfter: `SELECT count(*) FROM ${t} WHERE ${k} > ?`,
    }[kind];
    const statement = this.db.prepare(sql);
    this.statements.set(cacheKey, statement);
    return statement;
  }
}
