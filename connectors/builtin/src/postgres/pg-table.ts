import type { JsonRecord } from '@ferry/core';
import { isJsonColumn, toPgParam, type PgColumn } from './pg-column-type.js';
import { qualifiedName, quoteIdentifier } from './pg-identifier.js';

/** What the catalog says about a table: its columns in order, its primary key, its single-column unique keys. */
export interface PgTableShape {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly PgColumn[];
  /** The single-column primary key, if the table has one. */
  readonly primaryKey: string | undefined;
  /** Columns with a unique index of their own (the primary key included): each can key an upsert or a read. */
  readonly uniqueColumns: readonly string[];
}

/** Statements for distinct field sets kept at once; the records of one pipeline share one or a few. */
const MAX_CACHED_UPSERTS = 256;

/**
 * One warehouse table as the catalog describes it, and the SQL to write and read it. Names are quoted exactly as
 * written, so they match case-sensitively (the catalog's spelling wins).
 */
export class PgTable {
  readonly qualified: string;
  private readonly columns = new Map<string, PgColumn>();
  private readonly upserts = new Map<string, string>();

  constructor(readonly shape: PgTableShape) {
    this.qualified = qualifiedName(shape.schema, shape.name);
    for (const column of shape.columns) this.columns.set(column.name, column);
  }

  get name(): string {
    return this.shape.name;
  }

  get primaryKey(): string | undefined {
    return this.shape.primaryKey;
  }

  column(name: string): PgColumn | undefined {
    return this.columns.get(name);
  }

  columnList(): PgColumn[] {
    return [...this.columns.values()];
  }

  /** The column as the table spells it: exactly `name`, else the one column equal to it ignoring case. */
  columnNamed(name: string): string | undefined {
    if (this.columns.has(name)) return name;
    const matches = this.shape.columns.filter((column) => column.name.toLowerCase() === name.toLowerCase());
    return matches.length === 1 ? matches[0]?.name : undefined;
  }

  /** True when `column` can key upserts and keyset reads: the primary key or a column with its own unique index. */
  isUniqueColumn(column: string): boolean {
    return this.shape.uniqueColumns.includes(column);
  }

  /** The parameters for `fields` of the record, each as its column takes it. */
  params(record: JsonRecord, fields: readonly string[]): unknown[] {
    return fields.map((field) => {
      const column = this.columns.get(field);
      return column === undefined ? null : toPgParam(record[field], column);
    });
  }

  /**
   * Inserts the fields, or updates the row with the same key where a value differs; the one statement reports
   * what it did: no row back (the values were already there), `inserted` true (new key) or false (updated).
   */
  upsertSql(fields: readonly string[], key: string): string {
    const signature = `${key}\u0001${fields.join('\u0001')}`;
    const cached = this.upserts.get(signature);
    if (cached !== undefined) return cached;
    const columns = fields.map(quoteIdentifier);
    const others = fields.filter((field) => field !== key);
    const placeholders = fields.map((_, index) => `$${index + 1}`);
    const insert = `INSERT INTO ${this.qualified} AS t (${columns.join(', ')}) VALUES (${placeholders.join(', ')}) ON CONFLICT (${quoteIdentifier(key)})`;
    let sql: string;
    if (others.length === 0) {
      sql = `${insert} DO NOTHING RETURNING true AS inserted`;
    } else {
      const set = others.map((field) => `${quoteIdentifier(field)} = excluded.${quoteIdentifier(field)}`);
      // json (unlike jsonb) has no equality: it is compared as text.
      const current = others.map((field) => this.comparable(field, 't'));
      const incoming = others.map((field) => this.comparable(field, 'excluded'));
      // The WHERE makes a write of identical values change nothing, so a replay reports `unchanged`.
      sql = `${insert} DO UPDATE SET ${set.join(', ')} WHERE (${current.join(', ')}) IS DISTINCT FROM (${incoming.join(', ')}) RETURNING (t.xmax = 0) AS inserted`;
    }
    if (this.upserts.size >= MAX_CACHED_UPSERTS) this.upserts.clear();
    this.upserts.set(signature, sql);
    return sql;
  }

  findSql(key: string): string {
    return `SELECT * FROM ${this.qualified} WHERE ${quoteIdentifier(key)} = $1`;
  }

  deleteSql(key: string): string {
    return `DELETE FROM ${this.qualified} WHERE ${quoteIdentifier(key)} = $1`;
  }

  /** Rows ordered by `key`: the first `$1` when `after` is false, else `$2` rows after `$1`. */
  pageSql(key: string, after: boolean): string {
    const k = quoteIdentifier(key);
    return after ? `SELECT * FROM ${this.qualified} WHERE ${k} > $1 ORDER BY ${k} LIMIT $2` : `SELECT * FROM ${this.qualified} ORDER BY ${k} LIMIT $1`;
  }

  countSql(key: string, after: boolean): string {
    return after ? `SELECT count(*) AS n FROM ${this.qualified} WHERE ${quoteIdentifier(key)} > $1` : `SELECT count(*) AS n FROM ${this.qualified}`;
  }

  private comparable(field: string, row: 't' | 'excluded'): string {
    const column = this.columns.get(field);
    const reference = `${row}.${quoteIdentifier(field)}`;
    return column !== undefined && isJsonColumn(column) && column.pgType === 'json' ? `${reference}::text` : reference;
  }
}
