/**
 * The messages between the PostgreSQL store and its worker thread (pg-worker.mjs, which repeats these shapes in
 * JSDoc). Values cross by structured clone: a Buffer arrives as a Uint8Array, a Date stays a Date.
 */

export type PgParam = string | number | boolean | null | Uint8Array | readonly (string | number | null)[];

export interface PgStatement {
  readonly sql: string;
  /** Omitted for DDL: a text without parameters may hold several statements. */
  readonly params?: readonly PgParam[];
}

export interface PgResult<Row = Record<string, unknown>> {
  readonly rows: Row[];
  readonly rowCount: number;
}

export interface PoolSettings {
  readonly connectionString: string;
  readonly max: number;
  readonly connectionTimeoutMillis: number;
  readonly idleTimeoutMillis: number;
  readonly statementTimeoutMs: number;
  readonly lockTimeoutMs: number;
  /** The startup `options` (`-c search_path=… -c …`): the server applies them to every connection of the pool. */
  readonly options: string;
  readonly applicationName: string;
}

export type PgRequest =
  | { readonly op: 'open'; readonly settings: PoolSettings }
  | { readonly op: 'query'; readonly pool: number; readonly statement: PgStatement }
  | { readonly op: 'transaction'; readonly pool: number; readonly statements: readonly PgStatement[]; readonly retries: number }
  | { readonly op: 'connect'; readonly pool: number }
  | { readonly op: 'session-query'; readonly session: number; readonly statement: PgStatement }
  | { readonly op: 'release'; readonly session: number; readonly broken: boolean }
  | { readonly op: 'close'; readonly pool: number };

/** What the driver said, reduced to fields that are safe to show (the server's `detail` can quote row values). */
export interface PgFailure {
  readonly message: string;
  readonly name: string | undefined;
  /** SQLSTATE (`23505`), a system error (`ECONNREFUSED`), or undefined. */
  readonly code: string | undefined;
  readonly severity: string | undefined;
  readonly constraint: string | undefined;
  readonly table: string | undefined;
  readonly column: string | undefined;
}

export type PgAnswer = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly failure: PgFailure };
