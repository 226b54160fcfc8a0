// @ts-check
/**
 * Runs the PostgreSQL store's queries on a worker thread; the main thread waits for each answer (synckit), so
 * the store keeps its synchronous interface. This file only executes: SQL text, parameters and row mapping all
 * come from the main side. Plain JavaScript, because no TypeScript loader is reliably present inside a worker.
 *
 * Every request resolves (never rejects) with `{ ok: true, value }` or `{ ok: false, failure }`: a failure is a
 * plain object with the driver's fields that are safe to show, since errors lose their own fields when they
 * cross to the main thread.
 */
import pg from 'pg';
import { runAsWorker } from 'synckit';

/**
 * @typedef {string | number | boolean | null | Uint8Array | readonly (string | number | null)[]} Param
 * @typedef {{ sql: string, params?: readonly Param[] }} Statement
 * @typedef {{ rows: Record<string, unknown>[], rowCount: number }} Result
 * @typedef {{
 *   connectionString: string,
 *   max: number,
 *   connectionTimeoutMillis: number,
 *   idleTimeoutMillis: number,
 *   statementTimeoutMs: number,
 *   lockTimeoutMs: number,
 *   options: string,
 *   applicationName: string,
 * }} PoolSettings
 * @typedef {{ op: 'open', settings: PoolSettings }
 *   | { op: 'query', pool: number, statement: Statement }
 *   | { op: 'transaction', pool: number, statements: readonly Statement[], retries: number }
 *   | { op: 'connect', pool: number }
 *   | { op: 'session-query', session: number, statement: Statement }
 *   | { op: 'release', session: number, broken: boolean }
 *   | { op: 'close', pool: number }} Request
 * @typedef {{
 *   message: string,
 *   name: string | undefined,
 *   code: string | undefined,
 *   severity: string | undefined,
 *   constraint: string | undefined,
 *   table: string | undefined,
 *   column: string | undefined,
 * }} Failure
 */

/** Deadlocks and serialization failures roll the whole transaction back: running it again is safe. */
const RETRYABLE = new Set(['40P01', '40001']);

/** @type {Map<number, pg.Pool>} */
const pools = new Map();
/** @type {Map<number, pg.PoolClient>} */
const sessions = new Map();
let nextHandle = 1;

/**
 * @param {Map<number, T>} map
 * @param {number} handle
 * @param {string} what
 * @returns {T}
 * @template T
 */
function lookUp(map, handle, what) {
  const found = map.get(handle);
  if (found === undefined) throw Object.assign(new Error(`the ${what} is closed`), { code: 'FERRY_CLOSED' });
  return found;
}

/**
 * @param {pg.Pool | pg.PoolClient} target
 * @param {Statement} statement
 * @returns {Promise<Result>}
 */
async function run(target, statement) {
  const result = statement.params === undefined ? await target.query(statement.sql) : await target.query(statement.sql, [...statement.params]);
  // Several statements in one text (migrations) answer with one result each; the last one speaks for them.
  const last = Array.isArray(result) ? result[result.length - 1] : result;
  return { rows: last?.rows ?? [], rowCount: last?.rowCount ?? 0 };
}

/**
 * @param {pg.Pool} pool
 * @param {readonly Statement[]} statements
 * @param {number} retries
 * @returns {Promise<Result[]>}
 */
async function transaction(pool, statements, retries) {
  for (let attempt = 0; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      /** @type {Result[]} */
      const results = [];
      for (const statement of statements) results.push(await run(client, statement));
      await client.query('COMMIT');
      return results;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        // The connection itself failed: it must not go back to the pool.
        broken = true;
      }
      const code = error instanceof Error && 'code' in error ? error.code : undefined;
      if (attempt >= retries || typeof code !== 'string' || !RETRYABLE.has(code)) throw error;
    } finally {
      client.release(broken);
    }
  }
}

/**
 * @param {PoolSettings} settings
 * @returns {number}
 */
function open(settings) {
  const pool = new pg.Pool({
    connectionString: settings.connectionString,
    max: settings.max,
    connectionTimeoutMillis: settings.connectionTimeoutMillis,
    idleTimeoutMillis: settings.idleTimeoutMillis,
    statement_timeout: settings.statementTimeoutMs,
    lock_timeout: settings.lockTimeoutMs,
    application_name: settings.applicationName,
    options: settings.options,
  });
  // An idle connection that the server drops (restart, failover) must not end the worker; the next query reconnects.
  pool.on('error', () => undefined);
  const handle = nextHandle++;
  pools.set(handle, pool);
  return handle;
}

/**
 * @param {Request} request
 * @returns {Promise<unknown>}
 */
async function handle(request) {
  switch (request.op) {
    case 'open':
      return open(request.settings);
    case 'query':
      return run(lookUp(pools, request.pool, 'store'), request.statement);
    case 'transaction':
      return transaction(lookUp(pools, request.pool, 'store'), request.statements, request.retries);
    case 'connect': {
      const client = await lookUp(pools, request.pool, 'store').connect();
      const session = nextHandle++;
      sessions.set(session, client);
      return session;
    }
    case 'session-query':
      return run(lookUp(sessions, request.session, 'session'), request.statement);
    case 'release': {
      const client = sessions.get(request.session);
      sessions.delete(request.session);
      client?.release(request.broken);
      return null;
    }
    case 'close': {
      const pool = pools.get(request.pool);
      pools.delete(request.pool);
      await pool?.end();
      return null;
    }
  }
}

/**
 * What the main side needs to build a typed error. The server's `detail` is left out: it can quote row values.
 * @param {unknown} error
 * @returns {Failure}
 */
function describe(error) {
  /** @param {unknown} value */
  const text = (value) => (typeof value === 'string' ? value : undefined);
  if (error instanceof AggregateError && error.errors.length > 0) {
    // Every address of a host name refused: the first one says why.
    const first = describe(error.errors[0]);
    return { ...first, message: error.message === '' ? first.message : error.message };
  }
  if (error instanceof Error) {
    const fields = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (error));
    return {
      message: error.message,
      name: error.name,
      code: text(fields['code']),
      severity: text(fields['severity']),
      constraint: text(fields['constraint']),
      table: text(fields['table']),
      column: text(fields['column']),
    };
  }
  return { message: String(error), name: undefined, code: undefined, severity: undefined, constraint: undefined, table: undefined, column: undefined };
}

runAsWorker(
  /** @param {Request} request */
  async (request) => {
    try {
      return { ok: true, value: await handle(request) };
    } catch (error) {
      return { ok: false, failure: describe(error) };
    }
  },
);
