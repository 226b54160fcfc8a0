import type { QueryResultRow } from 'pg';

/** What a statement gave back: its rows and how many rows it touched. */
export interface StatementResult {
  readonly rows: readonly QueryResultRow[];
  readonly rowCount: number;
}

/** Runs one statement; fails with a FerryError. */
export type RunStatement = (text: string, values?: readonly unknown[]) => Promise<StatementResult>;

/** One connection taken from the pool, for a transaction. */
export interface WarehouseSession {
  readonly run: RunStatement;
}
