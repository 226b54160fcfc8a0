import { randomUUID } from 'node:crypto';
import type {
  BatchCommit,
  CheckpointKey,
  CheckpointRow,
  CheckpointState,
  DeadLetterFilter,
  DeadLetterRow,
  DeadLetterRetry,
  KeyValueWrite,
  LinkKey,
  LinkRow,
  LinkWrite,
  Logger,
  RunRow,
  RunStatus,
  RunSummary,
  Store,
} from '../../contract/index.js';
import { FerryError } from '../../errors/index.js';
import { tooNewError } from '../migrate.js';
import type { InboxDelivery, InboxNextFilter, InboxPut, InboxStatus, WebhookInbox } from '../webhook-inbox.js';
import { groupLinkWrites, lastRetries, lastValueWrites, linkKeyArrays } from './batch-arrays.js';
import { applyPostgresMigrations, readPostgresSchemaVersion } from './postgres-migrate.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { parsePostgresLocation, type PostgresLocation } from './postgres-location.js';
import {
  toCheckpointRow,
  toDeadLetterRow,
  toFoundLinkRow,
  toInboxDelivery,
  toLinkRow,
  toRunRow,
  type CheckpointPgRow,
  type DeadLetterPgRow,
  type InboxPgRow,
  type LinkPgRow,
  type LinkWritePgRow,
  type RunPgRow,
} from './postgres-rows.js';
import { PG } from './postgres-statements.js';
import type { PgStatement } from './pg-worker-protocol.js';
import { SyncPgPool } from './sync-pg-pool.js';

export interface PostgresStoreOptions {
  /** Open without migrating (a store that needs a migration is refused) and with read-only transactions. */
  readonly?: boolean | undefined;
  log?: Logger | undefined;
  /** How long a write waits for rows another process holds before STORE_BUSY (PostgreSQL's lock_timeout; default 5000). */
  busyTimeoutMs?: number | undefined;
  /** Longest any one statement may run before STORE_BUSY (default 60000). */
  statementTimeoutMs?: number | undefined;
  /** How long connecting may take before STORE_UNAVAILABLE (default 10000). */
  connectTimeoutMs?: number | undefined;
  /**
   * How long a webhook delivery handed out by inboxNext stays with this store before another may take it
   * (default 5 minutes). Each inboxNext renews the claims it hands out again.
   */
  inboxLeaseMs?: number | undefined;
}

const DEFAULT_LEASE_MS = 5 * 60_000;

/**
 * The store on PostgreSQL, for several processes on several machines sharing one store. Same interface and
 * semantics as SqliteStore, method by method; each call is one synchronous round trip to a worker thread that
 * holds the connections (about a millisecond on a local network), which the engine's main path pays at page
 * and batch boundaries. Every method is safe under concurrent processes: a batch is one transaction, rows are upserted,
 * and the webhook inbox hands a delivery to one store at a time.
 */
export class PostgresStore implements Store, WebhookInbox {
  /** The location with its credentials masked. */
  readonly location: string;
  readonly schema: string;
  readonly readonly: boolean;
  /** Names this store's claims on webhook deliveries. */
  private readonly claimant = randomUUID();
  private readonly leaseMs: number;
  private readonly pool: SyncPgPool;

  constructor(location: string | PostgresLocation, options: PostgresStoreOptions = {}) {
    const parsed = typeof location === 'string' ? parsePostgresLocation(location) : location;
    this.location = parsed.redacted;
    this.schema = parsed.schema;
    this.readonly = options.readonly === true;
    this.leaseMs = options.inboxLeaseMs ?? DEFAULT_LEASE_MS;
    this.pool = SyncPgPool.open(
      {
        connectionString: parsed.connectionString,
        // A store makes one call at a time (they are synchronous): a small pool is enough.
        max: 2,
        connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
        idleTimeoutMillis: 30_000,
        statementTimeoutMs: options.statementTimeoutMs ?? 60_000,
        lockTimeoutMs: options.busyTimeoutMs ?? 5000,
        options: startupOptions(parsed, this.readonly),
        applicationName: parsed.applicationName ?? 'ferry',
      },
      parsed.redacted,
    );
    try {
      this.prepareSchema(options);
    } catch (error) {
      this.pool.close();
      throw error;
    }
  }

  private prepareSchema(options: PostgresStoreOptions): void {
    const known = POSTGRES_MIGRATIONS.length;
    if (this.readonly) {
      const version = readPostgresSchemaVersion(this.pool);
      if (version === 0) {
        throw new FerryError('STORE_NOT_FOUND', `There is no store in the schema '${this.schema}' at ${this.location}.`, {
          hint: 'Run a pipeline once to create it, or check `store:` in ferry.yaml (the `schema` parameter names the schema, default public).',
          details: { location: this.location, schema: this.schema },
        });
      }
      if (version > known) throw tooNewError(this.location, version, known);
      if (version < known) {
        throw new FerryError('STORE_NEEDS_UPGRADE', `The store ${this.location} has schema version ${version}; this ferry needs ${known}.`, {
          hint: 'Open it once read-write (any `ferry run`) to upgrade it, then try again.',
          details: { location: this.location, storeVersion: version, knownVersion: known },
        });
      }
      return;
    }
    const result = applyPostgresMigrations(this.pool, POSTGRES_MIGRATIONS, this.schema);
    if (result.applied.length > 0) {
      options.log?.info({ location: this.location, schema: this.schema, from: result.from, to: result.to, applied: result.applied.map((m) => m.name) }, 'store schema upgraded');
    }
  }

  /** Highest applied migration. */
  schemaVersion(): number {
    return readPostgresSchemaVersion(this.pool);
  }

  // ── runs ────────────────────────────────────────────────────────────────────────────────────────────────────

  startRun(run: { pipeline: string; mode: string; trigger: string; partition?: string | undefined }): number {
    const [row] = this.pool.query<{ id: string }>(PG.startRun, [run.pipeline, run.mode, run.trigger, run.partition ?? '']).rows;
    if (row === undefined) throw new Error('INSERT … RETURNING gave no run id');
    return Number(row.id);
  }

  finishRun(id: number, result: { status: RunStatus; summary: RunSummary; error?: string }): void {
    const { rowCount } = this.pool.query(PG.finishRun, [result.status, JSON.stringify(result.summary), result.error ?? null, id]);
    if (rowCount === 0) {
      throw new FerryError('STORE_UNKNOWN_RUN', `There is no run ${id} in the store ${this.location}.`, {
        hint: 'finishRun takes the id that startRun returned on this same store.',
        details: { location: this.location, runId: id },
      });
    }
  }

  /** Newest first; of one pipeline and/or one partition when asked. */
  listRuns(options: { pipeline?: string | undefined; partition?: string | undefined; limit?: number | undefined } = {}): RunRow[] {
    return this.pool.query<RunPgRow>(PG.listRuns, [options.pipeline ?? null, options.partition ?? null, options.limit ?? null]).rows.map(toRunRow);
  }

  // ── checkpoints ─────────────────────────────────────────────────────────────────────────────────────────────

  getCheckpoint(key: CheckpointKey): CheckpointState | undefined {
    return this.pool.query<{ state: CheckpointState }>(PG.getCheckpoint, [key.pipeline, key.stream, key.partition]).rows[0]?.state;
  }

  /** Ordered by pipeline, stream, partition. */
  listCheckpoints(pipeline?: string): CheckpointRow[] {
    return this.pool.query<CheckpointPgRow>(PG.listCheckpoints, [pipeline ?? null]).rows.map(toCheckpointRow);
  }

  clearCheckpoint(key: CheckpointKey): void {
    this.pool.query(PG.clearCheckpoint, [key.pipeline, key.stream, key.partition]);
  }

  // ── links ───────────────────────────────────────────────────────────────────────────────────────────────────

  getLink(key: LinkKey, pipeline: string): LinkRow | undefined {
    const [row] = this.pool.query<LinkWritePgRow>(PG.getLink, [pipeline, key.sourceConnection, key.sourceStream, key.sourceId, key.targetConnection, key.targetEntity]).rows;
    return row === undefined ? undefined : toLinkRow(key, row);
  }

  /** `getLink` for a page of keys in one query; answers in key order. */
  getLinks(keys: readonly LinkKey[], pipeline: string): (LinkRow | undefined)[] {
    if (keys.length === 0) return [];
    const found = new Map<number, LinkWritePgRow>();
    for (const row of this.pool.query<LinkWritePgRow & { ord: string }>(PG.getLinks, [...linkKeyArrays(keys), pipeline]).rows) found.set(Number(row.ord), row);
    return keys.map((key, index) => {
      // WITH ORDINALITY counts from 1.
      const row = found.get(index + 1);
      return row === undefined ? undefined : toLinkRow(key, row);
    });
  }

  /** The most recently updated link to that destination record, with the content last written to it by any pipeline. */
  findLinkByTarget(targetConnection: string, targetEntity: string, targetId: string): LinkRow | undefined {
    const [row] = this.pool.query<LinkPgRow>(PG.findLinkByTarget, [targetConnection, targetEntity, targetId]).rows;
    return row === undefined ? undefined : toFoundLinkRow(row);
  }

  /** `findLinkByTarget` among the links from one source connection. */
  findLinkFrom(sourceConnection: string, targetConnection: string, targetEntity: string, targetId: string): LinkRow | undefined {
    const [row] = this.pool.query<LinkPgRow>(PG.findLinkFrom, [sourceConnection, targetConnection, targetEntity, targetId]).rows;
    return row === undefined ? undefined : toFoundLinkRow(row);
  }

  /** `findLinkByTarget` for many destination records of one entity in one statement; answers in id order. */
  findLinksByTarget(targetConnection: string, targetEntity: string, targetIds: readonly string[]): (LinkRow | undefined)[] {
    if (targetIds.length === 0) return [];
    return inOrder(targetIds, this.pool.query<LinkPgRow & { ord: string }>(PG.findLinksByTarget, [targetConnection, targetEntity, [...targetIds]]).rows, toFoundLinkRow);
  }

  /** `findLinkFrom` for many destination records of one entity in one statement; answers in id order. */
  findLinksFrom(sourceConnection: string, targetConnection: string, targetEntity: string, targetIds: readonly string[]): (LinkRow | undefined)[] {
    if (targetIds.length === 0) return [];
    const { rows } = this.pool.query<LinkPgRow & { ord: string }>(PG.findLinksFrom, [sourceConnection, targetConnection, targetEntity, [...targetIds]]);
    return inOrder(targetIds, rows, toFoundLinkRow);
  }

  // ── the batch ───────────────────────────────────────────────────────────────────────────────────────────────

  /** Checkpoint, links, link writes, dead letters (new, resolved, retried), unlinks and values: all of it or none of it. */
  commitBatch(batch: BatchCommit): void {
    const statements: PgStatement[] = [];
    if (batch.checkpoint !== undefined) {
      const { key, state } = batch.checkpoint;
      statements.push({ sql: PG.putCheckpoint, params: [key.pipeline, key.stream, key.partition, JSON.stringify(state)] });
    }
    for (const group of groupLinkWrites(batch.links)) statements.push(...linkStatements(group));
    if (batch.deadLetters.length > 0) {
      const letters = batch.deadLetters;
      statements.push({
        sql: PG.insertDeadLetters,
        params: [
          batch.runId,
          letters.map((letter) => letter.pipeline),
          letters.map((letter) => letter.stream),
          letters.map((letter) => letter.sourceId ?? null),
          letters.map((letter) => JSON.stringify(letter.record)),
          letters.map((letter) => letter.error.code),
          letters.map((letter) => letter.error.message),
          letters.map((letter) => letter.error.hint ?? null),
          letters.map((letter) => letter.attempts),
          letters.map((letter) => letter.partition ?? ''),
        ],
      });
    }
    const resolved = batch.resolvedDeadLetters ?? [];
    if (resolved.length > 0) statements.push({ sql: PG.setDeadLetterStatus, params: ['replayed', [...resolved]] });
    const retried = lastRetries(batch.retriedDeadLetters ?? []);
    if (retried.length > 0) statements.push(retryStatement(retried));
    const unlinks = batch.unlinks ?? [];
    if (unlinks.length > 0) statements.push({ sql: PG.deleteLinks, params: linkKeyArrays(unlinks) });
    const values = lastValueWrites(batch.values ?? []);
    if (values.length > 0) statements.push(valuesStatement(values));
    if (statements.length === 0) return;
    this.pool.transaction(statements);
  }

  // ── dead letters ────────────────────────────────────────────────────────────────────────────────────────────

  /** Oldest first (the order a replay should follow). */
  listDeadLetters(options: DeadLetterFilter = {}): DeadLetterRow[] {
    return this.pool
      .query<DeadLetterPgRow>(PG.listDeadLetters, [options.pipeline ?? null, options.partition ?? null, options.status ?? null, options.limit ?? null])
      .rows.map(toDeadLetterRow);
  }

  setDeadLetterStatus(ids: readonly number[], status: DeadLetterRow['status']): void {
    if (ids.length === 0) return;
    this.pool.query(PG.setDeadLetterStatus, [status, [...ids]]);
  }

  // ── key/value ───────────────────────────────────────────────────────────────────────────────────────────────

  getValue(namespace: string, key: string): string | undefined {
    return this.pool.query<{ value: string }>(PG.getValue, [namespace, key]).rows[0]?.value;
  }

  /** `getValue` for many keys of one namespace in one statement; answers in key order. */
  getValues(namespace: string, keys: readonly string[]): (string | undefined)[] {
    if (keys.length === 0) return [];
    return inOrder(keys, this.pool.query<{ ord: string; value: string }>(PG.getValues, [namespace, [...keys]]).rows, (row) => row.value);
  }

  setValue(namespace: string, key: string, value: string): void {
    this.pool.query(PG.setValue, [namespace, key, value]);
  }

  /** Removes a value; returns whether there was one. */
  deleteValue(namespace: string, key: string): boolean {
    return this.pool.query(PG.deleteValue, [namespace, key]).rowCount > 0;
  }

  // ── webhook inbox ───────────────────────────────────────────────────────────────────────────────────────────

  inboxPut(delivery: InboxPut): { inserted: boolean; id: number } {
    const receivedAt = delivery.receivedAt?.toISOString() ?? null;
    const params = [delivery.connection, delivery.trigger, delivery.deliveryId, delivery.orderKey ?? null, delivery.body, receivedAt];
    const [inserted] = this.pool.query<{ id: string }>(PG.inboxInsert, params).rows;
    if (inserted !== undefined) return { inserted: true, id: Number(inserted.id) };
    const [existing] = this.pool.query<{ id: string }>(PG.inboxFind, [delivery.connection, delivery.deliveryId]).rows;
    if (existing === undefined) throw new Error('a delivery that conflicted on insert is missing');
    return { inserted: false, id: Number(existing.id) };
  }

  /**
   * As SqliteStore's, and the deliveries handed out are claimed for this store: another store (another process
   * or machine) is not handed them until this one marks them, or for `inboxLeaseMs`.
   */
  inboxNext(limit: number, filter: InboxNextFilter = {}): InboxDelivery[] {
    if (limit <= 0) return [];
    return this.pool.query<InboxPgRow>(PG.inboxClaim, [this.claimant, limit, this.leaseMs, filter.connection ?? null]).rows.map(toInboxDelivery);
  }

  inboxGet(id: number): InboxDelivery | undefined {
    const [row] = this.pool.query<InboxPgRow>(PG.inboxGet, [id]).rows;
    return row === undefined ? undefined : toInboxDelivery(row);
  }

  inboxMark(id: number, status: InboxStatus, error?: string): void {
    const attempted = status === 'pending' ? 0 : 1;
    const { rowCount } = this.pool.query(PG.inboxMark, [status, attempted, error ?? null, id]);
    if (rowCount === 0) {
      throw new FerryError('STORE_UNKNOWN_DELIVERY', `There is no webhook delivery ${id} in the store ${this.location}.`, {
        hint: 'inboxMark takes an id from inboxPut or inboxNext; pruned deliveries are gone.',
        details: { location: this.location, deliveryId: id },
      });
    }
  }

  inboxDepth(): number {
    return this.pool.query<{ depth: number }>(PG.inboxDepth).rows[0]?.depth ?? 0;
  }

  /** Deliveries per status, every status present (0 when none). */
  inboxCounts(): Record<InboxStatus, number> {
    const counts: Record<InboxStatus, number> = { pending: 0, done: 0, failed: 0, dead: 0 };
    for (const row of this.pool.query<{ status: InboxStatus; count: number }>(PG.inboxCounts).rows) counts[row.status] = row.count;
    return counts;
  }

  /** Deletes `done` deliveries processed before `before`; returns how many (see SqliteStore.inboxPrune). */
  inboxPrune(before: Date): number {
    return this.pool.query(PG.inboxPrune, [before.toISOString()]).rowCount;
  }

  // ── life cycle ──────────────────────────────────────────────────────────────────────────────────────────────

  /** Closes the store's connections. Safe to call twice. */
  close(): void {
    this.pool.close();
  }
}

/** One answer per asked item from rows that carry its place (`ord`, counted from 1 by WITH ORDINALITY). */
function inOrder<Row extends { ord: string }, Answer>(asked: readonly unknown[], rows: readonly Row[], answer: (row: Row) => Answer): (Answer | undefined)[] {
  const found = new Map<number, Row>();
  for (const row of rows) found.set(Number(row.ord), row);
  return asked.map((_, index) => {
    const row = found.get(index + 1);
    return row === undefined ? undefined : answer(row);
  });
}

/** Every connection works in the store's schema; a read-only store's transactions are read-only too. */
function startupOptions(location: PostgresLocation, readonly: boolean): string {
  const own = [`-c search_path=${location.schema}`, ...(readonly ? ['-c default_transaction_read_only=on'] : [])];
  return [location.driverOptions, ...own].filter((part) => part !== undefined && part !== '').join(' ');
}

function linkStatements(links: readonly LinkWrite[]): PgStatement[] {
  const keys = linkKeyArrays(links);
  return [
    { sql: PG.putLinks, params: [...keys, links.map((link) => link.targetId)] },
    {
      sql: PG.putLinkWrites,
      params: [...keys, links.map((link) => link.pipeline), links.map((link) => link.hash), links.map((link) => JSON.stringify(link.content))],
    },
  ];
}

function retryStatement(retries: readonly DeadLetterRetry[]): PgStatement {
  return {
    sql: PG.retryDeadLetters,
    params: [
      retries.map((retry) => retry.id),
      retries.map((retry) => retry.error.code),
      retries.map((retry) => retry.error.message),
      retries.map((retry) => retry.error.hint ?? null),
      retries.map((retry) => retry.attempts),
    ],
  };
}

function valuesStatement(values: readonly KeyValueWrite[]): PgStatement {
  return {
    sql: PG.setValues,
    params: [values.map((entry) => entry.namespace), values.map((entry) => entry.key), values.map((entry) => entry.value)],
  };
}

export function openPostgresStore(location: string, options: PostgresStoreOptions = {}): PostgresStore {
  return new PostgresStore(location, options);
}
