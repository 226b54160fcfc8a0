import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import type {
  BatchCommit,
  CheckpointKey,
  CheckpointRow,
  CheckpointState,
  DeadLetterFilter,
  DeadLetterRow,
  LinkKey,
  LinkRow,
  Logger,
  RunRow,
  RunStatus,
  RunSummary,
  Store,
} from '../contract/index.js';
import { FerryError } from '../errors/index.js';
import { applyMigrations, readSchemaVersion, tooNewError } from './migrate.js';
import { STORE_MIGRATIONS } from './migrations.js';
import { toCheckpointRow, toDeadLetterRow, toFoundLinkRow, toInboxDelivery, toLinkRow, toRunRow } from './rows.js';
import { prepareStatements, type LinkDbRow, type LinkWriteDbRow, type StoreStatements } from './statements.js';
import { prepareStoreFile } from './store-file.js';
import { toStoreError } from './store-error.js';
import type { InboxDelivery, InboxNextFilter, InboxPut, InboxStatus, WebhookInbox } from './webhook-inbox.js';

export interface SqliteStoreOptions {
  /** Open without writing: no migration runs, and a store that needs one is refused. */
  readonly?: boolean | undefined;
  log?: Logger | undefined;
  /**
   * 'normal' (default): in WAL mode a commit is in the OS's hands once commitBatch returns, so it survives a
   * killed or crashed process (SIGKILL, OOM); only a power cut or kernel panic can lose the last commits — the
   * store stays consistent and the run replays them, which idempotent writes make harmless. 'full' also
   * fsyncs every commit, for machines that lose power, at a large cost in commits per second.
   */
  synchronous?: 'normal' | 'full' | undefined;
  /** How long a write waits for another process's write lock before STORE_BUSY (default 5000). */
  busyTimeoutMs?: number | undefined;
  /** Cap on the store file's size: writes past it fail with STORE_DISK_FULL, as on a full disk. */
  maxSizeBytes?: number | undefined;
}

const IN_MEMORY = ':memory:';
/** After a checkpoint the WAL file is truncated back to this size, so a burst of writes does not leave it huge. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * SQLite's JSON reader turns a lone UTF-16 surrogate into other bytes than a bound string does, so such an id
 * (never seen in practice) is looked up on its own.
 */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** What the keys of one link query share: everything but the source id. */
function linkGroupOf(key: LinkKey): string {
  return `${key.sourceConnection}\u0000${key.sourceStream}\u0000${key.targetConnection}\u0000${key.targetEntity}`;
}

function now(): string {
  return new Date().toISOString();
}

/** The default store: one SQLite file in WAL mode, shared safely by the processes of one machine. */
export class SqliteStore implements Store, WebhookInbox {
  /** Absolute path of the database file (`:memory:` for an in-memory store). */
  readonly file: string;
  readonly readonly: boolean;
  private readonly db: Database.Database;
  private readonly sql: StoreStatements;
  private readonly commitTransaction: (batch: BatchCommit, at: string) => void;
  private readonly setDeadLetterStatusTransaction: (ids: readonly number[], status: DeadLetterRow['status'], at: string) => void;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    this.file = file === IN_MEMORY ? IN_MEMORY : resolve(file);
    this.readonly = options.readonly === true;
    this.db = this.open(options);
    try {
      this.sql = prepareStatements(this.db);
    } catch (error) {
      this.db.close();
      throw this.failure(error);
    }
    const sql = this.sql;

    const commit = this.db.transaction((batch: BatchCommit, at: string) => {
      if (batch.checkpoint !== undefined) {
        const { key, state } = batch.checkpoint;
        sql.putCheckpoint.run(key.pipeline, key.stream, key.partition, JSON.stringify(state), at);
      }
      for (const link of batch.links) {
        const linkId = sql.putLink.get(link.sourceConnection, link.sourceStream, link.sourceId, link.targetConnection, link.targetEntity, link.targetId, at);
        if (linkId === undefined) throw new Error('INSERT … RETURNING gave no link id');
        sql.putLinkWrite.run(linkId, link.pipeline, link.hash, JSON.stringify(link.content), at);
      }
      for (const letter of batch.deadLetters) {
        sql.insertDeadLetter.run(
          batch.runId,
          letter.pipeline,
          letter.partition ?? '',
          letter.stream,
          letter.sourceId ?? null,
          JSON.stringify(letter.record),
          letter.error.code,
          letter.error.message,
          letter.error.hint ?? null,
          letter.attempts,
          at,
          at,
        );
      }
      for (const id of batch.resolvedDeadLetters ?? []) sql.setDeadLetterStatus.run('replayed', at, id);
      for (const retry of batch.retriedDeadLetters ?? []) {
        sql.retryDeadLetter.run(retry.error.code, retry.error.message, retry.error.hint ?? null, retry.attempts, at, retry.id);
      }
      for (const key of batch.unlinks ?? []) {
        sql.deleteLink.run(key.sourceConnection, key.sourceStream, key.sourceId, key.targetConnection, key.targetEntity);
      }
      for (const entry of batch.values ?? []) sql.setValue.run(entry.namespace, entry.key, entry.value, at);
    });
    // IMMEDIATE takes the write lock up front: waiting on busy_timeout instead of failing mid-transaction.
    this.commitTransaction = (batch, at) => commit.immediate(batch, at);

    const setStatuses = this.db.transaction((ids: readonly number[], status: DeadLetterRow['status'], at: string) => {
      for (const id of ids) sql.setDeadLetterStatus.run(status, at, id);
    });
    this.setDeadLetterStatusTransaction = (ids, status, at) => setStatuses.immediate(ids, status, at);
  }

  private open(options: SqliteStoreOptions): Database.Database {
    const inMemory = this.file === IN_MEMORY;
    if (!inMemory) {
      if (this.readonly && !existsSync(this.file)) {
        throw new FerryError('STORE_NOT_FOUND', `There is no store at ${this.file}.`, {
          hint: 'Run a pipeline once to create it, or check `store:` in ferry.yaml (relative paths start at the folder of ferry.yaml).',
          details: { file: this.file },
        });
      }
      if (!this.readonly) this.guard(() => prepareStoreFile(this.file, options.log));
    }

    let db: Database.Database | undefined;
    try {
      // `timeout` is SQLite's busy_timeout: a writer waits this long for another process's lock.
      db = new Database(this.file, { readonly: this.readonly, fileMustExist: this.readonly, timeout: options.busyTimeoutMs ?? 5000 });
      if (this.readonly) {
        const version = readSchemaVersion(db);
        const known = STORE_MIGRATIONS.length;
        if (version > known) throw tooNewError(this.file, version, known);
        if (version < known) {
          throw new FerryError('STORE_NEEDS_UPGRADE', `The store ${this.file} has schema version ${version}; this ferry needs ${known}.`, {
            hint: 'Open it once read-write (any `ferry run`) to upgrade it, then try again.',
            details: { file: this.file, storeVersion: version, knownVersion: known },
          });
        }
      } else {
        this.configure(db, options);
        const result = applyMigrations(db, STORE_MIGRATIONS, this.file);
        if (result.applied.length > 0) {
          options.log?.info({ file: this.file, from: result.from, to: result.to, applied: result.applied.map((m) => m.name) }, 'store schema upgraded');
        }
        if (options.maxSizeBytes !== undefined) {
          const pageSize = db.pragma('page_size', { simple: true });
          if (typeof pageSize === 'number') db.pragma(`max_page_count = ${Math.max(1, Math.floor(options.maxSizeBytes / pageSize))}`);
        }
      }
      return db;
    } catch (error) {
      if (db?.open === true) db.close();
      throw this.failure(error);
    }
  }

  private configure(db: Database.Database, options: SqliteStoreOptions): void {
    // The first statement reads the file header: a file that is not SQLite fails here with SQLITE_NOTADB.
    const journal = db.pragma('journal_mode = WAL', { simple: true });
    if (journal !== 'wal' && this.file !== IN_MEMORY) {
      options.log?.warn({ file: this.file, journal }, 'the store could not switch to WAL mode; concurrent readers will wait for writers');
    }
    // NORMAL by default: durable across a killed process, which is what checkpoints must survive (see the option).
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  }

  /** Highest applied migration. */
  schemaVersion(): number {
    try {
      return readSchemaVersion(this.db);
    } catch (error) {
      throw this.failure(error);
    }
  }

  // ── runs ────────────────────────────────────────────────────────────────────────────────────────────────────

  startRun(run: { pipeline: string; mode: string; trigger: string; partition?: string | undefined }): number {
    try {
      return Number(this.sql.startRun.run(run.pipeline, run.mode, run.trigger, run.partition ?? '', now()).lastInsertRowid);
    } catch (error) {
      throw this.failure(error);
    }
  }

  finishRun(id: number, result: { status: RunStatus; summary: RunSummary; error?: string }): void {
    let changes: number;
    try {
      changes = this.sql.finishRun.run(result.status, JSON.stringify(result.summary), result.error ?? null, now(), id).changes;
    } catch (error) {
      throw this.failure(error);
    }
    if (changes === 0) {
      throw new FerryError('STORE_UNKNOWN_RUN', `There is no run ${id} in the store ${this.file}.`, {
        hint: 'finishRun takes the id that startRun returned on this same store.',
        details: { file: this.file, runId: id },
      });
    }
  }

  /** Newest first; of one pipeline and/or one partition when asked. */
  listRuns(options: { pipeline?: string | undefined; partition?: string | undefined; limit?: number | undefined } = {}): RunRow[] {
    try {
      const limit = options.limit ?? -1;
      const partition = options.partition ?? null;
      const rows =
        options.pipeline === undefined
          ? this.sql.listRuns.all({ partition, limit })
          : this.sql.listRunsOfPipeline.all({ pipeline: options.pipeline, partition, limit });
      return rows.map(toRunRow);
    } catch (error) {
      throw this.failure(error);
    }
  }

  // ── checkpoints ─────────────────────────────────────────────────────────────────────────────────────────────

  getCheckpoint(key: CheckpointKey): CheckpointState | undefined {
    let state: string | undefined;
    try {
      state = this.sql.getCheckpoint.get(key.pipeline, key.stream, key.partition);
    } catch (error) {
      throw this.failure(error);
    }
    return state === undefined ? undefined : (JSON.parse(state) as CheckpointState);
  }

  /** Ordered by pipeline, stream, partition. */
  listCheckpoints(pipeline?: string): CheckpointRow[] {
    try {
      return this.sql.listCheckpoints.all({ pipeline: pipeline ?? null }).map(toCheckpointRow);
    } catch (error) {
      throw this.failure(error);
    }
  }

  clearCheckpoint(key: CheckpointKey): void {
    try {
      this.sql.clearCheckpoint.run(key.pipeline, key.stream, key.partition);
    } catch (error) {
      throw this.failure(error);
    }
  }

  // ── links ───────────────────────────────────────────────────────────────────────────────────────────────────

  getLink(key: LinkKey, pipeline: string): LinkRow | undefined {
    try {
      const row = this.sql.getLink.get(pipeline, key.sourceConnection, key.sourceStream, key.sourceId, key.targetConnection, key.targetEntity);
      return row === undefined ? undefined : toLinkRow(key, row);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** `getLink` for many keys: one query per (source stream, destination entity) among them, answers in key order. */
  getLinks(keys: readonly LinkKey[], pipeline: string): (LinkRow | undefined)[] {
    const groups = new Map<string, { readonly key: LinkKey; readonly ids: Set<string> }>();
    for (const key of keys) {
      if (LONE_SURROGATE.test(key.sourceId)) continue;
      const group = linkGroupOf(key);
      const found = groups.get(group);
      if (found === undefined) groups.set(group, { key, ids: new Set([key.sourceId]) });
      else found.ids.add(key.sourceId);
    }
    const rows = new Map<string, Map<string, LinkWriteDbRow>>();
    try {
      for (const [group, { key, ids }] of groups) {
        const byId = new Map<string, LinkWriteDbRow>();
        const found = this.sql.getLinks.all({
          ids: JSON.stringify([...ids]),
          pipeline,
          sourceConnection: key.sourceConnection,
          sourceStream: key.sourceStream,
          targetConnection: key.targetConnection,
          targetEntity: key.targetEntity,
        });
        for (const row of found) byId.set(row.sourceId, row);
        rows.set(group, byId);
      }
    } catch (error) {
      throw this.failure(error);
    }
    return keys.map((key) => {
      if (LONE_SURROGATE.test(key.sourceId)) return this.getLink(key, pipeline);
      const row = rows.get(linkGroupOf(key))?.get(key.sourceId);
      return row === undefined ? undefined : toLinkRow(key, row);
    });
  }

  /** The most recently updated link to that destination record, with the content last written to it by any pipeline. */
  findLinkByTarget(targetConnection: string, targetEntity: string, targetId: string): LinkRow | undefined {
    try {
      const row = this.sql.findLinkByTarget.get(targetConnection, targetEntity, targetId);
      return row === undefined ? undefined : toFoundLinkRow(row);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** `findLinkByTarget` among the links from one source connection. */
  findLinkFrom(sourceConnection: string, targetConnection: string, targetEntity: string, targetId: string): LinkRow | undefined {
    try {
      const row = this.sql.findLinkFrom.get(sourceConnection, targetConnection, targetEntity, targetId);
      return row === undefined ? undefined : toFoundLinkRow(row);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** `findLinkByTarget` for many destination records of one entity in one query; answers in id order. */
  findLinksByTarget(targetConnection: string, targetEntity: string, targetIds: readonly string[]): (LinkRow | undefined)[] {
    return this.linksByTarget(
      targetIds,
      (ids) => this.sql.findLinksByTarget.all({ ids, targetConnection, targetEntity }),
      (id) => this.findLinkByTarget(targetConnection, targetEntity, id),
    );
  }

  /** `findLinkFrom` for many destination records of one entity in one query; answers in id order. */
  findLinksFrom(sourceConnection: string, targetConnection: string, targetEntity: string, targetIds: readonly string[]): (LinkRow | undefined)[] {
    return this.linksByTarget(
      targetIds,
      (ids) => this.sql.findLinksFrom.all({ ids, sourceConnection, targetConnection, targetEntity }),
      (id) => this.findLinkFrom(sourceConnection, targetConnection, targetEntity, id),
    );
  }

  /** One query for the ids SQLite's JSON reader keeps intact, one look-up each for the others (see LONE_SURROGATE). */
  private linksByTarget(
    targetIds: readonly string[],
    query: (ids: string) => (LinkDbRow & { asked: string })[],
    single: (id: string) => LinkRow | undefined,
  ): (LinkRow | undefined)[] {
    const ids = [...new Set(targetIds.filter((id) => !LONE_SURROGATE.test(id)))];
    const found = new Map<string, LinkRow>();
    if (ids.length > 0) {
      try {
        for (const row of query(JSON.stringify(ids))) found.set(row.asked, toFoundLinkRow(row));
      } catch (error) {
        throw this.failure(error);
      }
    }
    return targetIds.map((id) => (LONE_SURROGATE.test(id) ? single(id) : found.get(id)));
  }

  // ── the batch ───────────────────────────────────────────────────────────────────────────────────────────────

  /** Checkpoint, links, link writes, new, resolved and retried dead letters: all of it or none of it. */
  commitBatch(batch: BatchCommit): void {
    try {
      this.commitTransaction(batch, now());
    } catch (error) {
      throw this.failure(error);
    }
  }

  // ── dead letters ────────────────────────────────────────────────────────────────────────────────────────────

  /** Oldest first (the order a replay should follow). */
  listDeadLetters(options: DeadLetterFilter = {}): DeadLetterRow[] {
    try {
      const partition = options.partition ?? null;
      const status = options.status ?? null;
      const limit = options.limit ?? -1;
      const rows =
        options.pipeline === undefined
          ? this.sql.listDeadLetters.all({ partition, status, limit })
          : this.sql.listDeadLettersOfPipeline.all({ pipeline: options.pipeline, partition, status, limit });
      return rows.map(toDeadLetterRow);
    } catch (error) {
      throw this.failure(error);
    }
  }

  setDeadLetterStatus(ids: readonly number[], status: DeadLetterRow['status']): void {
    if (ids.length === 0) return;
    try {
      this.setDeadLetterStatusTransaction(ids, status, now());
    } catch (error) {
      throw this.failure(error);
    }
  }

  // ── key/value ───────────────────────────────────────────────────────────────────────────────────────────────

  getValue(namespace: string, key: string): string | undefined {
    try {
      return this.sql.getValue.get(namespace, key);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** `getValue` for many keys of one namespace in one query; answers in key order. */
  getValues(namespace: string, keys: readonly string[]): (string | undefined)[] {
    const asked = [...new Set(keys.filter((key) => !LONE_SURROGATE.test(key)))];
    const values = new Map<string, string>();
    if (asked.length > 0) {
      try {
        for (const row of this.sql.getValues.all({ namespace, keys: JSON.stringify(asked) })) values.set(row.key, row.value);
      } catch (error) {
        throw this.failure(error);
      }
    }
    return keys.map((key) => (LONE_SURROGATE.test(key) ? this.getValue(namespace, key) : values.get(key)));
  }

  setValue(namespace: string, key: string, value: string): void {
    try {
      this.sql.setValue.run(namespace, key, value, now());
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Removes a value; returns whether there was one. */
  deleteValue(namespace: string, key: string): boolean {
    try {
      return this.sql.deleteValue.run(namespace, key).changes > 0;
    } catch (error) {
      throw this.failure(error);
    }
  }

  // ── webhook inbox ───────────────────────────────────────────────────────────────────────────────────────────

  inboxPut(delivery: InboxPut): { inserted: boolean; id: number } {
    try {
      const receivedAt = (delivery.receivedAt ?? new Date()).toISOString();
      const id = this.sql.inboxInsert.get(delivery.connection, delivery.trigger, delivery.deliveryId, delivery.orderKey ?? null, delivery.body, receivedAt);
      if (id !== undefined) return { inserted: true, id };
      const existing = this.sql.inboxFind.get(delivery.connection, delivery.deliveryId);
      if (existing === undefined) throw new Error('a delivery that conflicted on insert is missing');
      return { inserted: false, id: existing };
    } catch (error) {
      throw this.failure(error);
    }
  }

  inboxNext(limit: number, filter: InboxNextFilter = {}): InboxDelivery[] {
    if (limit <= 0) return [];
    try {
      return this.sql.inboxNext.all({ connection: filter.connection ?? null, limit }).map(toInboxDelivery);
    } catch (error) {
      throw this.failure(error);
    }
  }

  inboxGet(id: number): InboxDelivery | undefined {
    try {
      const row = this.sql.inboxGet.get(id);
      return row === undefined ? undefined : toInboxDelivery(row);
    } catch (error) {
      throw this.failure(error);
    }
  }

  inboxMark(id: number, status: InboxStatus, error?: string): void {
    let changes: number;
    try {
      const attempted = status === 'pending' ? 0 : 1;
      changes = this.sql.inboxMark.run({ status, attempted, error: error ?? null, at: now(), id }).changes;
    } catch (failure) {
      throw this.failure(failure);
    }
    if (changes === 0) {
      throw new FerryError('STORE_UNKNOWN_DELIVERY', `There is no webhook delivery ${id} in the store ${this.file}.`, {
        hint: 'inboxMark takes an id from inboxPut or inboxNext; pruned deliveries are gone.',
        details: { file: this.file, deliveryId: id },
      });
    }
  }

  inboxDepth(): number {
    try {
      return this.sql.inboxDepth.get() ?? 0;
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Deliveries per status, every status present (0 when none). */
  inboxCounts(): Record<InboxStatus, number> {
    const counts: Record<InboxStatus, number> = { pending: 0, done: 0, failed: 0, dead: 0 };
    try {
      for (const row of this.sql.inboxCounts.all()) counts[row.status] = row.count;
    } catch (error) {
      throw this.failure(error);
    }
    return counts;
  }

  /**
   * Deletes `done` deliveries processed before `before`; returns how many. A pruned delivery id is no longer
   * de-duplicated, so keep them longer than the provider retries a delivery (days, not minutes).
   */
  inboxPrune(before: Date): number {
    try {
      return this.sql.inboxPrune.run(before.toISOString()).changes;
    } catch (error) {
      throw this.failure(error);
    }
  }

  // ── life cycle ──────────────────────────────────────────────────────────────────────────────────────────────

  /** Closes the database (the last connection to close folds the WAL back into the file). Safe to call twice. */
  close(): void {
    if (!this.db.open) return;
    try {
      // Keeps the query planner's statistics fresh; cheap, as SQLite only analyses what changed a lot.
      if (!this.readonly) this.db.pragma('optimize');
    } catch {
      // Statistics are an optimisation: a store that cannot refresh them (disk full) still closes.
    }
    try {
      this.db.close();
    } catch (error) {
      throw this.failure(error);
    }
  }

  private guard<T>(operation: () => T): T {
    try {
      return operation();
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** What to throw for an error: a FerryError for what SQLite or the disk said, the error itself otherwise. */
  private failure(error: unknown): unknown {
    return toStoreError(error, this.file) ?? error;
  }
}

export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): SqliteStore {
  return new SqliteStore(file, options);
}
