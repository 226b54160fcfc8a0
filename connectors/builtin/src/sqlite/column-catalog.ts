import type BetterSqlite3 from 'better-sqlite3';
import { isColumnType, type ColumnType } from './column-type.js';

const CATALOG = '_ferry_columns';

/**
 * The JSON type of each column ferry created, kept in `_ferry_columns` inside the warehouse file: SQLite's INTEGER
 * and TEXT cannot tell a boolean from a number or a JSON object from a string, and the `rows` stream and `find`
 * give records back as they were written.
 */
export class ColumnCatalog {
  private remember: BetterSqlite3.Statement<[string, string, string]> | undefined;

  constructor(private readonly db: BetterSqlite3.Database) {}

  /** Types recorded for a table, by lower-cased column name (SQLite names are case-insensitive). */
  typesOf(table: string): Map<string, ColumnType> {
    const types = new Map<string, ColumnType>();
    const exists = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(CATALOG);
    if (exists === undefined) return types;
    const rows = this.db
      .prepare<[string], { column_name: string; json_type: string }>(`SELECT column_name, json_type FROM ${CATALOG} WHERE table_name = ? COLLATE NOCASE`)
      .all(table);
    for (const row of rows) if (isColumnType(row.json_type)) types.set(row.column_name.toLowerCase(), row.json_type);
    return types;
  }

  record(table: string, column: string, type: ColumnType): void {
    if (this.remember === undefined) {
      this.db.exec(
        `CREATE TABLE IF NOT EXISTS ${CATALOG} (table_name TEXT NOT NULL COLLATE NOCASE, column_name TEXT NOT NULL COLLATE NOCASE, json_type TEXT NOT NULL, PRIMARY KEY (table_name, column_name))`,
      );
      this.remember = this.db.prepare(`INSERT OR REPLACE INTO ${CATALOG} (table_name, column_name, json_type) VALUES (?, ?, ?)`);
    }
    this.remember.run(table, column, type);
  }
}
