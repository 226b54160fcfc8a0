import { createHash } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import { FerryError, type ConnectorContext, type Logger } from '@ferry/core';
import type { ColumnType } from '../sqlite/column-type.js';
import { pgTypeOf } from './pg-column-type.js';
import { qualifiedName, quoteIdentifier } from './pg-identifier.js';
import type { StatementResult, WarehouseSession } from './pg-session.js';
import { PgTable } from './pg-table.js';
import { loadTableShape, listTables } from './pg-table-shape.js';
import { postgresError } from './postgres-errors.js';
import { readPostgresSettings, type PostgresSettings } from './postgres-settings.js';
import { postgresAddress, withoutPassword, type PostgresAddress } from './postgres-url.js';
import { warehouseTypeParsers } from './pg-type-parsers.js';

/** A column to create: its name and the JSON type its values have. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
}

/** How long a schema change waits for a lock before it fails (rather than queueing every writer behind it). */
const DDL_LOCK_TIMEOUT = '10s';
const IDLE_CLOSE_MS = 10_000;
/** How long a write waits for a connection (a new one, or a free one of the pool) before the run stops. */
const CONNECT_TIMEOUT_MS = 20_000;

/** A 64-bit advisory lock key for one table, the same in every process that writes it. */
export function ddlLockKey(schema: string, table: string): string {
  const digest = createHash('sha256').update(`ferry:warehouse:${schema}.${table}`).digest();
  return digest.readBigInt64BE(0).toString();
}

/**
 * One PostgreSQL warehouse (a database and a schema) for a run: a connection pool shared by every call of the run,
 * and the shapes of its tables. Idle connections close after 10 s and never keep the process alive, so a finished
 * run exits without an explicit close.
 *
 * Schema changes (create a table, add columns) run one at a time in this process and under an advisory lock per
 * table across processes, each in its own short transaction, before the writes that need them.
 */
export class PostgresWarehouse {
  private readonly tables = new Map<string, PgTable>();
  private ddlQueue: Promise<unknown> = Promise.resolve();
  private ended = false;

  private constructor(
    readonly address: PostgresAddress,
    readonly schema: string,
    private readonly pool: Pool,
  ) {}

  static open(settings: PostgresSettings, log: Logger): PostgresWarehouse {
    const address = postgresAddress(settings.url);
    const pool = new Pool({
      connectionString: settings.url,
      max: settings.maxConnections,
      idleTimeoutMillis: IDLE_CLOSE_MS,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      allowExitOnIdle: true,
      application_name: 'ferry',
      types: warehouseTypeParsers,
    });
    // An idle connection the server closed is dropped by the pool; without a listener it would crash the process.
    pool.on('error', (error) => {
      log.warn({ where: address.where, reason: withoutPassword(error.message, address.password) }, 'postgres: an idle warehouse connection failed; the next write opens a new one');
    });
    return new PostgresWarehouse(address, settings.schema, pool);
  }

  /** True once `close` was called: the pool takes no more statements. */
  get closed(): boolean {
    return this.ended;
  }

  get where(): string {
    return this.address.where;
  }

  /** One statement on any pooled connection (its own transaction). */
  async run(text: string, values: readonly unknown[] = []): Promise<StatementResult> {
    try {
      const result = await this.pool.query(text, [...values]);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** A connection of its own for `work` (a transaction); a connection that failed is closed, not reused. */
  async session<T>(work: (session: WarehouseSession) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw postgresError(error, this.address);
    }
    let broken = false;
    const session: WarehouseSession = {
      run: async (text, values = []) => {
        try {
          const result = await client.query(text, [...values]);
          return { rows: result.rows, rowCount: result.rowCount ?? 0 };
        } catch (error) {
          const failure = this.failure(error);
          if (failure.code === 'POSTGRES_UNAVAILABLE') broken = true;
          throw failure;
        }
      },
    };
    try {
      return await work(session);
    } catch (error) {
      // Whatever the work left open is rolled back; a connection that cannot even do that is discarded.
      if (!broken) await session.run('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** The table as the catalog describes it now, or undefined when there is none (remembered for the run). */
  async table(name: string): Promise<PgTable | undefined> {
    const cached = this.tables.get(name);
    if (cached !== undefined) return cached;
    return this.reload(name);
  }

  /** Names of the schema's tables and views, for messages. */
  tableNames(): Promise<string[]> {
    return listTables((text, values) => this.run(text, values), this.schema);
  }

  /** Creates the table (and the schema) unless it exists; gives back the table as it is then. */
  createTable(name: string, key: ColumnSpec, others: readonly ColumnSpec[]): Promise<PgTable> {
    const definitions = [`${quoteIdentifier(key.name)} ${pgTypeOf(key.type)} PRIMARY KEY`, ...others.map((column) => `${quoteIdentifier(column.name)} ${pgTypeOf(column.type)}`)];
    return this.changeTable(name, (current) => current === undefined, async (session) => {
      const schemaExists = await session.run('SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1', [this.schema]);
      // Checked first: CREATE SCHEMA IF NOT EXISTS needs the right to create schemas even when this one exists.
      if (schemaExists.rows.length === 0) await session.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(this.schema)}`);
      await session.run(`CREATE TABLE IF NOT EXISTS ${qualifiedName(this.schema, name)} (${definitions.join(', ')})`);
    });
  }

  /** Adds the columns the table lacks (ADD COLUMN IF NOT EXISTS); gives back the table as it is then. */
  addColumns(table: PgTable, columns: readonly ColumnSpec[]): Promise<PgTable> {
    const additions = columns.map((column) => `ADD COLUMN IF NOT EXISTS ${quoteIdentifier(column.name)} ${pgTypeOf(column.type)}`);
    const lacksOne = (current: PgTable | undefined): boolean => current === undefined || columns.some((column) => current.column(column.name) === undefined);
    return this.changeTable(table.name, lacksOne, async (session) => {
      await session.run(`ALTER TABLE ${table.qualified} ${additions.join(', ')}`);
    });
  }

  /** Ends the pool's connections (in-flight statements finish first). */
  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.tables.clear();
    await this.pool.end();
  }

  /** The error as a FerryError; a table changed under the run is read from the catalog again on its next use. */
  private failure(error: unknown): FerryError {
    const failure = postgresError(error, this.address);
    if (failure.code === 'POSTGRES_TABLE_CHANGED') this.tables.clear();
    return failure;
  }

  private async reload(name: string): Promise<PgTable | undefined> {
    const shape = await loadTableShape((text, values) => this.run(text, values), this.schema, name);
    if (shape === undefined) {
      this.tables.delete(name);
      return undefined;
    }
    const table = new PgTable(shape);
    this.tables.set(name, table);
    return table;
  }

  /**
   * Runs a schema change in its own transaction under the table's advisory lock, one at a time; then re-reads the
   * table. A change an earlier one in the queue already made (writes in flight wanting the same column) is skipped.
   */
  private changeTable(name: string, needed: (current: PgTable | undefined) => boolean, change: (session: WarehouseSession) => Promise<void>): Promise<PgTable> {
    const next = this.ddlQueue.then(async () => {
      const current = this.tables.get(name);
      if (current !== undefined && !needed(current)) return current;
      await this.session(async (session) => {
        await session.run('BEGIN');
        await session.run(`SET LOCAL lock_timeout = '${DDL_LOCK_TIMEOUT}'`);
        await session.run('SELECT pg_advisory_xact_lock($1::bigint)', [ddlLockKey(this.schema, name)]);
        await change(session);
        await session.run('COMMIT');
      });
      const table = await this.reload(name);
      if (table === undefined) {
        throw new FerryError('POSTGRES_TABLE_CHANGED', `table ${name} of schema ${this.schema} at ${this.where} was dropped while the run changed it`, {
          hint: "leave the warehouse's tables alone during a run, then run again: the run resumes from its last checkpoint",
          details: { where: this.where, table: name, systemic: true },
        });
      }
      return table;
    });
    this.ddlQueue = next.catch(() => undefined);
    return next;
  }
}

/** A context's settings never change, so its warehouse is found once (a run asks for it with every record). */
const warehouses = new WeakMap<ConnectorContext, PostgresWarehouse>();

/** The cache key of a warehouse: a digest, so the URL (and its password) is not kept in the cache's keys. */
function cacheKey(settings: PostgresSettings): string {
  const digest = createHash('sha256').update(`${settings.url}\u0001${settings.schema}\u0001${settings.maxConnections}`).digest('hex');
  return `builtin:postgres:${digest}`;
}

/** The run's warehouse for this connection, from the run's cache (one pool per database, schema and run). */
export function postgresWarehouseFor(ctx: ConnectorContext): PostgresWarehouse {
  const known = warehouses.get(ctx);
  if (known !== undefined && !known.closed) return known;
  const settings = readPostgresSettings(ctx.config);
  const key = cacheKey(settings);
  const cached = ctx.cache.get(key);
  const warehouse = cached instanceof PostgresWarehouse && !cached.closed ? cached : PostgresWarehouse.open(settings, ctx.log);
  ctx.cache.set(key, warehouse);
  warehouses.set(ctx, warehouse);
  return warehouse;
}

/**
 * Closes the warehouses a context opened. A run never needs it (idle connections close on their own and do not
 * hold the process); it is for hosts and tests that want the connections gone now.
 */
export async function closePostgresWarehouses(ctx: Pick<ConnectorContext, 'cache'>): Promise<void> {
  const open: PostgresWarehouse[] = [];
  for (const [key, value] of ctx.cache) {
    if (value instanceof PostgresWarehouse) {
      open.push(value);
      ctx.cache.delete(key);
    }
  }
  await Promise.all(open.map((warehouse) => warehouse.close()));
}
