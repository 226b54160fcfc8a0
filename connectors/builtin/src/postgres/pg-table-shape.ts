import type { PgColumn } from './pg-column-type.js';
import type { PgTableShape } from './pg-table.js';
import type { RunStatement } from './pg-session.js';

/** Relations rows can be read from: tables, partitioned tables, views, materialized views, foreign tables. */
const READABLE_KINDS = "('r', 'p', 'v', 'm', 'f')";

const COLUMNS_SQL = `SELECT a.attname AS name, t.typname AS type
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ${READABLE_KINDS} AND a.attnum > 0 AND NOT a.attisdropped
  ORDER BY a.attnum`;

/** Single-column unique indexes that are valid, whole-table (not partial) and on a plain column: they can key an upsert. */
const UNIQUE_SQL = `SELECT a.attname AS name, i.indisprimary AS is_primary
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
  WHERE n.nspname = $1 AND c.relname = $2 AND i.indisunique AND i.indisvalid AND i.indnkeyatts = 1
    AND i.indpred IS NULL AND i.indexprs IS NULL`;

const TABLES_SQL = `SELECT c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = $1 AND c.relkind IN ${READABLE_KINDS} ORDER BY c.relname`;

function text(value: unknown): string {
  return typeof value === 'string' ? value : String(value);
}

/** A table's shape from the catalog, or undefined when the schema has no relation of that exact name. */
export async function loadTableShape(run: RunStatement, schema: string, name: string): Promise<PgTableShape | undefined> {
  const columns = await run(COLUMNS_SQL, [schema, name]);
  if (columns.rows.length === 0) return undefined;
  const unique = await run(UNIQUE_SQL, [schema, name]);
  const primary = unique.rows.find((row) => row['is_primary'] === true);
  return {
    schema,
    name,
    columns: columns.rows.map((row): PgColumn => ({ name: text(row['name']), pgType: text(row['type']) })),
    primaryKey: primary === undefined ? undefined : text(primary['name']),
    uniqueColumns: unique.rows.map((row) => text(row['name'])),
  };
}

export async function listTables(run: RunStatement, schema: string): Promise<string[]> {
  const result = await run(TABLES_SQL, [schema]);
  return result.rows.map((row) => text(row['name']));
}
