import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';

export type WarehouseRow = Record<string, unknown>;

/** Rows of a warehouse table read with better-sqlite3 (read-only, so a running CLI is never disturbed). */
export function warehouseRows(file: string, table = 'contacts'): WarehouseRow[] {
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
    if (exists === undefined) return [];
    return db.prepare(`SELECT * FROM "${table}" ORDER BY id`).all() as WarehouseRow[];
  } finally {
    db.close();
  }
}

export function warehouseCount(file: string, table = 'contacts'): number {
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table);
    if (exists === undefined) return 0;
    return (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}
