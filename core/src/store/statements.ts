import type Database from 'better-sqlite3';
import type { RunStatus } from '../contract/index.js';
import type { InboxStatus } from './webhook-inbox.js';

/** Rows as SQLite returns them (columns aliased to camelCase; NULL stays null until mapped). */
export interface RunDbRow {
  id: number;
  pipeline: string;
  mode: string;
  trigger: string;
  partition: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  summary: string | null;
  error: string | null;
}

export interface CheckpointDbRow {
  pipeline: string;
  stream: string;
  partition: string;
  state: string;
  updatedAt: string;
}

export interface LinkDbRow {
  sourceConnection: string;
  sourceStream: string;
  sourceId: string;
  targetConnection: string;
  targetEntity: string;
  targetId: string;
  updatedAt: string;
  hash: string | null;
  content: string | null;
}

export type LinkWriteDbRow = Pick<LinkDbRow, 'targetId' | 'updatedAt' | 'hash' | 'content'>;

export interface DeadLetterDbRow {
  id: number;
  runId: number;
  pipeline: string;
  partition: string;
  stream: string;
  sourceId: string | null;
  record: string;
  errorCode: string;
  errorMessage: string;
  errorHint: string | null;
  attempts: number;
  status: 'open' | 'replayed' | 'discarded';
  createdAt: string;
}

export interface InboxDbRow {
  id: number;
  connection: string;
  trigger: string;
  deliveryId: string;
  orderKey: string | null;
  body: Buffer;
  receivedAt: string;
  status: InboxStatus;
  attempts: number;
  lastError: string | null;
  processedAt: string | null;
}

type LinkKeyParams = [sourceConnection: string, sourceStream: string, sourceId: string, targetConnection: string, targetEntity: string];

const runColumns = `id, pipeline, mode, "trigger" AS "trigger", "partition" AS "partition", status, started_at AS startedAt, finished_at AS finishedAt, summary, error`;

const linkColumns = `l.source_connection AS sourceConnection, l.source_stream AS sourceStream, l.source_id AS sourceId,
  l.target_connection AS targetConnection, l.target_entity AS targetEntity, l.target_id AS targetId, l.updated_at AS updatedAt`;

/** The latest write through the link `l` (none: NULL hash and content), as findLinkByTarget orders writes. */
const latestWriteOfLink = `LEFT JOIN link_writes w ON w.rowid = (
         SELECT v.rowid FROM link_writes v WHERE v.link_id = l.id ORDER BY v.written_at DESC, v.rowid DESC LIMIT 1)`;

const deadLetterColumns = `id, run_id AS runId, pipeline, "partition" AS "partition", stream, source_id AS sourceId, record, error_code AS errorCode,
  error_message AS errorMessage, error_hint AS errorHint, attempts, status, created_at AS createdAt`;

const inboxColumns = `i.id, i.connection, i."trigger" AS "trigger", i.delivery_id AS deliveryId, i.order_key AS orderKey, i.body,
  i.received_at AS receivedAt, i.status, i.attempts, i.last_error AS lastError, i.processed_at AS processedAt`;

/** Every statement the store runs, prepared once when it opens. `LIMIT -1` means no limit in SQLite. */
export function prepareStatements(db: Database.Database) {
  return {
    startRun: db.prepare<[pipeline: string, mode: string, trigger: string, partition: string, startedAt: string]>(
      `INSERT INTO runs (pipeline, mode, "trigger", "partition", status, started_at) VALUES (?, ?, ?, ?, 'running', ?)`,
    ),
    finishRun: db.prepare<[status: RunStatus, summary: string, error: string | null, finishedAt: string, id: number]>(
      'UPDATE runs SET status = ?, summary = ?, error = ?, finished_at = ? WHERE id = ?',
    ),
    listRuns: db.prepare<{ partition: string | null; limit: number }, RunDbRow>(
      `SELECT ${runColumns} FROM runs WHERE (@partition IS NULL OR "partition" = @partition) ORDER BY id DESC LIMIT @limit`,
    ),
    listRunsOfPipeline: db.prepare<{ pipeline: string; partition: string | null; limit: number }, RunDbRow>(
      `SELECT ${runColumns} FROM runs WHERE pipeline = @pipeline AND (@partition IS NULL OR "partition" = @partition) ORDER BY id DESC LIMIT @limit`,
    ),

    getCheckpoint: db
      .prepare<[pipeline: string, stream: string, partition: string], string>(
        'SELECT state FROM checkpoints WHERE pipeline = ? AND stream = ? AND "partition" = ?',
      )
      .pluck(),
    listCheckpoints: db.prepare<{ pipeline: string | null }, CheckpointDbRow>(
      `SELECT pipeline, stream, "partition" AS "partition", state, updated_at AS updatedAt FROM checkpoints
       WHERE (@pipeline IS NULL OR pipeline = @pipeline) ORDER BY pipeline, stream, "partition"`,
    ),
    clearCheckpoint: db.prepare<[pipeline: string, stream: string, partition: string]>(
      'DELETE FROM checkpoints WHERE pipeline = ? AND stream = ? AND "partition" = ?',
    ),
    putCheckpoint: db.prepare<[pipeline: string, stream: string, partition: string, state: string, updatedAt: string]>(
      `INSERT INTO checkpoints (pipeline, stream, "partition", state, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (pipeline, stream, "partition") DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    ),

    /** One probe of the links UNIQUE index, then one of link_writes' primary key. */
    getLink: db.prepare<[pipeline: string, ...LinkKeyParams], LinkWriteDbRow>(
      `SELECT l.target_id AS targetId, l.updated_at AS updatedAt, w.hash, w.content
       FROM links l LEFT JOIN link_writes w ON w.link_id = l.id AND w.pipeline = ?
       WHERE l.source_connection = ? AND l.source_stream = ? AND l.source_id = ? AND l.target_connection = ? AND l.target_entity = ?`,
    ),
    /**
     * The links of many source ids at once (a JSON array), for one source stream and destination entity. CROSS JOIN
     * keeps the id list as the outer loop: one probe of the UNIQUE index per id, never a scan of the entity's links.
     */
    getLinks: db.prepare<
      { ids: string; pipeline: string; sourceConnection: string; sourceStream: string; targetConnection: string; targetEntity: string },
      LinkWriteDbRow & { sourceId: string }
    >(
      `SELECT l.source_id AS sourceId, l.target_id AS targetId, l.updated_at AS updatedAt, w.hash, w.content
       FROM json_each(@ids) AS k
       CROSS JOIN links l ON l.source_connection = @sourceConnection AND l.source_stream = @sourceStream AND l.source_id = k.value
         AND l.target_connection = @targetConnection AND l.target_entity = @targetEntity
       LEFT JOIN link_writes w ON w.link_id = l.id AND w.pipeline = @pipeline`,
    ),
    findLinkByTarget: db.prepare<[targetConnection: string, targetEntity: string, targetId: string], LinkDbRow>(
      `SELECT ${linkColumns}, w.hash, w.content
       FROM links l LEFT JOIN link_writes w ON w.link_id = l.id
       WHERE l.target_connection = ? AND l.target_entity = ? AND l.target_id = ?
       ORDER BY l.updated_at DESC, l.id DESC, w.written_at DESC, w.rowid DESC LIMIT 1`,
    ),
    findLinkFrom: db.prepare<[sourceConnection: string, targetConnection: string, targetEntity: string, targetId: string], LinkDbRow>(
      `SELECT ${linkColumns}, w.hash, w.content
       FROM links l LEFT JOIN link_writes w ON w.link_id = l.id
       WHERE l.source_connection = ? AND l.target_connection = ? AND l.target_entity = ? AND l.target_id = ?
       ORDER BY l.updated_at DESC, l.id DESC, w.written_at DESC, w.rowid DESC LIMIT 1`,
    ),
    /**
     * findLinkByTarget for many destination records of one entity at once (a JSON array of ids): for each id the
     * latest link (one probe of links_by_target), then its latest write, as the single look-up orders them.
     */
    findLinksByTarget: db.prepare<{ ids: string; targetConnection: string; targetEntity: string }, LinkDbRow & { asked: string }>(
      `SELECT k.value AS asked, ${linkColumns}, w.hash, w.content
       FROM json_each(@ids) AS k
       CROSS JOIN links l ON l.id = (
         SELECT c.id FROM links c WHERE c.target_connection = @targetConnection AND c.target_entity = @targetEntity AND c.target_id = k.value
         ORDER BY c.updated_at DESC, c.id DESC LIMIT 1)
       ${latestWriteOfLink}`,
    ),
    /** findLinkFrom for many destination records at once, as findLinksByTarget. */
    findLinksFrom: db.prepare<{ ids: string; sourceConnection: string; targetConnection: string; targetEntity: string }, LinkDbRow & { asked: string }>(
      `SELECT k.value AS asked, ${linkColumns}, w.hash, w.content
       FROM json_each(@ids) AS k
       CROSS JOIN links l ON l.id = (
         SELECT c.id FROM links c
         WHERE c.source_connection = @sourceConnection AND c.target_connection = @targetConnection AND c.target_entity = @targetEntity AND c.target_id = k.value
         ORDER BY c.updated_at DESC, c.id DESC LIMIT 1)
       ${latestWriteOfLink}`,
    ),
    putLink: db
      .prepare<[...LinkKeyParams, targetId: string, updatedAt: string], number>(
        `INSERT INTO links (source_connection, source_stream, source_id, target_connection, target_entity, target_id, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source_connection, source_stream, source_id, target_connection, target_entity)
         DO UPDATE SET target_id = excluded.target_id, updated_at = excluded.updated_at
         RETURNING id`,
      )
      .pluck(),
    /** Removes a link; its writes go with it (ON DELETE CASCADE). */
    deleteLink: db.prepare<LinkKeyParams>(
      `DELETE FROM links WHERE source_connection = ? AND source_stream = ? AND source_id = ? AND target_connection = ? AND target_entity = ?`,
    ),
    putLinkWrite: db.prepare<[linkId: number, pipeline: string, hash: string, content: string, writtenAt: string]>(
      `INSERT INTO link_writes (link_id, pipeline, hash, content, written_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (link_id, pipeline) DO UPDATE SET hash = excluded.hash, content = excluded.content, written_at = excluded.written_at`,
    ),

    insertDeadLetter: db.prepare<
      [
        runId: number,
        pipeline: string,
        partition: string,
        stream: string,
        sourceId: string | null,
        record: string,
        errorCode: string,
        errorMessage: string,
        errorHint: string | null,
        attempts: number,
        createdAt: string,
        updatedAt: string,
      ]
    >(
      `INSERT INTO dead_letters (run_id, pipeline, "partition", stream, source_id, record, error_code, error_message, error_hint, attempts, status, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
    ),
    setDeadLetterStatus: db.prepare<[status: DeadLetterDbRow['status'], updatedAt: string, id: number]>(
      'UPDATE dead_letters SET status = ?, updated_at = ? WHERE id = ?',
    ),
    retryDeadLetter: db.prepare<[errorCode: string, errorMessage: string, errorHint: string | null, attempts: number, updatedAt: string, id: number]>(
      `UPDATE dead_letters SET error_code = ?, error_message = ?, error_hint = ?, attempts = ?, status = 'open', updated_at = ? WHERE id = ?`,
    ),
    listDeadLetters: db.prepare<{ partition: string | null; status: string | null; limit: number }, DeadLetterDbRow>(
      `SELECT ${deadLetterColumns} FROM dead_letters
       WHERE (@partition IS NULL OR "partition" = @partition) AND (@status IS NULL OR status = @status) ORDER BY id LIMIT @limit`,
    ),
    listDeadLettersOfPipeline: db.prepare<{ pipeline: string; partition: string | null; status: string | null; limit: number }, DeadLetterDbRow>(
      `SELECT ${deadLetterColumns} FROM dead_letters
       WHERE pipeline = @pipeline AND (@partition IS NULL OR "partition" = @partition) AND (@status IS NULL OR status = @status)
       ORDER BY id LIMIT @limit`,
    ),

    getValue: db.prepare<[namespace: string, key: string], string>('SELECT value FROM kv WHERE namespace = ? AND key = ?').pluck(),
    /** The values of many keys of one namespace (a JSON array of keys): one probe of kv's primary key per key. */
    getValues: db.prepare<{ namespace: string; keys: string }, { key: string; value: string }>(
      `SELECT kv.key, kv.value FROM json_each(@keys) AS k CROSS JOIN kv ON kv.namespace = @namespace AND kv.key = k.value`,
    ),
    setValue: db.prepare<[namespace: string, key: string, value: string, updatedAt: string]>(
      `INSERT INTO kv (namespace, key, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    ),
    deleteValue: db.prepare<[namespace: string, key: string]>('DELETE FROM kv WHERE namespace = ? AND key = ?'),

    inboxInsert: db
      .prepare<[connection: string, trigger: string, deliveryId: string, orderKey: string | null, body: Buffer, receivedAt: string], number>(
        `INSERT INTO webhook_inbox (connection, "trigger", delivery_id, order_key, body, received_at, status, attempts)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', 0)
         ON CONFLICT (connection, delivery_id) DO NOTHING
         RETURNING id`,
      )
      .pluck(),
    inboxFind: db
      .prepare<[connection: string, deliveryId: string], number>('SELECT id FROM webhook_inbox WHERE connection = ? AND delivery_id = ?')
      .pluck(),
    inboxGet: db.prepare<[id: number], InboxDbRow>(`SELECT ${inboxColumns} FROM webhook_inbox i WHERE i.id = ?`),
    /** @connection null: every connection's deliveries. */
    inboxNext: db.prepare<{ connection: string | null; limit: number }, InboxDbRow>(
      `SELECT ${inboxColumns} FROM webhook_inbox i
       WHERE i.status IN ('pending', 'failed')
         AND (@connection IS NULL OR i.connection = @connection)
         AND (i.order_key IS NULL OR NOT EXISTS (
           SELECT 1 FROM webhook_inbox e
           WHERE e.connection = i.connection AND e.order_key = i.order_key AND e.id < i.id
             AND e.status IN ('pending', 'failed') AND e.order_key IS NOT NULL))
       ORDER BY i.id LIMIT @limit`,
    ),
    inboxMark: db.prepare<{ status: InboxStatus; attempted: number; error: string | null; at: string; id: number }>(
      `UPDATE webhook_inbox SET
         status = @status,
         attempts = attempts + @attempted,
         last_error = coalesce(@error, CASE WHEN @status = 'done' THEN NULL ELSE last_error END),
         processed_at = CASE WHEN @status IN ('done', 'dead') THEN @at ELSE NULL END
       WHERE id = @id`,
    ),
    inboxDepth: db.prepare<[], number>(`SELECT count(*) FROM webhook_inbox WHERE status IN ('pending', 'failed')`).pluck(),
    inboxCounts: db.prepare<[], { status: InboxStatus; count: number }>('SELECT status, count(*) AS count FROM webhook_inbox GROUP BY status'),
    inboxPrune: db.prepare<[before: string]>(`DELETE FROM webhook_inbox WHERE status = 'done' AND processed_at < ?`),
  };
}

export type StoreStatements = ReturnType<typeof prepareStatements>;
