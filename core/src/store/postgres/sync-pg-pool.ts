import { createSyncFn } from 'synckit';
import { FerryError } from '../../errors/index.js';
import { toPostgresStoreError } from './postgres-error.js';
import { fromPgText, toPgText } from './pg-text.js';
import type { PgAnswer, PgParam, PgRequest, PgResult, PgStatement, PoolSettings } from './pg-worker-protocol.js';

/**
 * The longest the calling thread waits for the worker, whatever PostgreSQL does: the statement and connect
 * timeouts end a query well before, so this only fires when the worker itself is stuck.
 */
const WORKER_ANSWER_TIMEOUT_MS = 5 * 60_000;

type CallWorker = (request: PgRequest) => PgAnswer;

let callWorker: CallWorker | undefined;

/** One worker thread per process serves every PostgreSQL store in it; it starts with the first store. */
function worker(): CallWorker {
  callWorker ??= createSyncFn<(request: PgRequest) => Promise<PgAnswer>>(new URL('./pg-worker.mjs', import.meta.url), {
    timeout: WORKER_ANSWER_TIMEOUT_MS,
  });
  return callWorker;
}

function encodeParam(param: PgParam): PgParam {
  if (typeof param === 'string') return toPgText(param);
  if (Array.isArray(param)) return param.map((item: string | number | null) => (typeof item === 'string' ? toPgText(item) : item));
  return param;
}

function encode(statement: PgStatement): PgStatement {
  return statement.params === undefined ? statement : { sql: statement.sql, params: statement.params.map(encodeParam) };
}

function decodeRow(row: Record<string, unknown>): Record<string, unknown> {
  const decoded: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) decoded[column] = typeof value === 'string' ? fromPgText(value) : value;
  return decoded;
}

/** Unchecked like any driver's rows: the statement's SQL decides the row's shape. */
function decode<Row>(value: unknown): PgResult<Row> {
  const result = value as PgResult;
  return { rows: result.rows.map(decodeRow) as Row[], rowCount: result.rowCount };
}

/** One checked-out connection: statements run in order on it (a transaction spans several calls). */
export interface PgSession {
  query<Row = Record<string, unknown>>(sql: string, params?: readonly PgParam[]): PgResult<Row>;
}

/**
 * A pg Pool that lives on the worker thread, called synchronously: each call blocks this thread until the
 * answer is back (about a millisecond on loopback). Failures come back as FerryErrors naming the redacted
 * location. Strings go through pg-text both ways, so every JavaScript string round-trips exactly.
 */
export class SyncPgPool {
  #closed = false;

  private constructor(
    private readonly handle: number,
    /** The redacted location, for messages. */
    readonly where: string,
  ) {}

  static open(settings: PoolSettings, where: string): SyncPgPool {
    const handle = call({ op: 'open', settings }, where);
    if (typeof handle !== 'number') throw new Error('the PostgreSQL worker gave no pool handle');
    return new SyncPgPool(handle, where);
  }

  get closed(): boolean {
    return this.#closed;
  }

  query<Row = Record<string, unknown>>(sql: string, params?: readonly PgParam[]): PgResult<Row> {
    return decode<Row>(this.call({ op: 'query', pool: this.handle, statement: encode(params === undefined ? { sql } : { sql, params }) }));
  }

  /** Runs the statements in one transaction (all or nothing); a deadlock or serialization failure is retried whole. */
  transaction(statements: readonly PgStatement[], retries = 3): PgResult[] {
    const results = this.call({ op: 'transaction', pool: this.handle, statements: statements.map(encode), retries });
    return (results as unknown[]).map((result) => decode(result));
  }

  /** Runs `work` on one connection of its own (for a transaction whose next step depends on what it read). */
  withSession<T>(work: (session: PgSession) => T): T {
    const session = this.call({ op: 'connect', pool: this.handle });
    if (typeof session !== 'number') throw new Error('the PostgreSQL worker gave no session handle');
    let broken = false;
    try {
      return work({
        query: <Row>(sql: string, params?: readonly PgParam[]) =>
          decode<Row>(this.call({ op: 'session-query', session, statement: encode(params === undefined ? { sql } : { sql, params }) })),
      });
    } catch (error) {
      // The connection may be in any state after a failure: it is dropped rather than reused.
      broken = true;
      throw error;
    } finally {
      this.call({ op: 'release', session, broken });
    }
  }

  /** Ends the pool's connections (so the server sees a clean goodbye). Safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    call({ op: 'close', pool: this.handle }, this.where);
  }

  private call(request: PgRequest): unknown {
    if (this.#closed) {
      throw new FerryError('STORE_CLOSED', `The store ${this.where} is already closed.`, {
        hint: 'Open the store again before using it; close() is the last call on a store.',
        details: { location: this.where },
      });
    }
    return call(request, this.where);
  }
}

function call(request: PgRequest, where: string): unknown {
  let answer: PgAnswer;
  try {
    answer = worker()(request);
  } catch (error) {
    // The worker did not answer at all (stuck, or could not start): nothing is known about the request.
    const said = error instanceof Error ? error.message : String(error);
    throw new FerryError('STORE_UNAVAILABLE', `The PostgreSQL store at ${where} did not answer (${said}).`, {
      hint: 'Check that the database server is answering; if it is, run again and report this message if it keeps happening.',
      details: { location: where },
      cause: error,
    });
  }
  if (!answer.ok) throw toPostgresStoreError(answer.failure, where);
  return answer.value;
}
