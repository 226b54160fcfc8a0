/**
 * Every statement the PostgreSQL store runs, mirroring statements.ts (SQLite). Several rows go in one statement
 * as parallel arrays (`unnest($1::text[], $2::text[], …)`), so a whole batch costs a handful of round trips.
 * Orderings that compare text use COLLATE "C" (byte order), as SQLite does, whatever the database's collation.
 */

const runColumns = `id, pipeline, mode, "trigger" AS "trigger", "partition" AS "partition", status, started_at AS "startedAt",
  finished_at AS "finishedAt", summary, error`;

const linkColumns = `l.source_connection AS "sourceConnection", l.source_stream AS "sourceStream", l.source_id AS "sourceId",
  l.target_connection AS "targetConnection", l.target_entity AS "targetEntity", l.target_id AS "targetId", l.updated_at AS "updatedAt"`;

const deadLetterColumns = `id, run_id AS "runId", pipeline, "partition" AS "partition", stream, source_id AS "sourceId", record, error_code AS "errorCode",
  error_message AS "errorMessage", error_hint AS "errorHint", attempts, status, created_at AS "createdAt"`;

const inboxColumns = `i.id, i.connection, i."trigger" AS "trigger", i.delivery_id AS "deliveryId", i.order_key AS "orderKey", i.body,
  i.received_at AS "receivedAt", i.status, i.attempts, i.last_error AS "lastError", i.processed_at AS "processedAt"`;

/** The five key columns of a link, as unnest() of five text arrays starting at parameter `first`. */
function linkKeyArrays(first: number): string {
  return [0, 1, 2, 3, 4].map((offset) => `$${first + offset}::text[]`).join(', ');
}

const linkKeyMatches = `l.source_connection = k.source_connection AND l.source_stream = k.source_stream AND l.source_id = k.source_id
  AND l.target_connection = k.target_connection AND l.target_entity = k.target_entity`;

/** The latest link to a destination record, with the content most recently written through it. */
const latestLinkOrder = `ORDER BY l.updated_at DESC, l.id DESC, w.written_at DESC NULLS LAST, w.seq DESC NULLS LAST LIMIT 1`;

export const PG = {
  startRun: `INSERT INTO runs (pipeline, mode, "trigger", "partition", status, started_at) VALUES ($1, $2, $3, $4, 'running', now()) RETURNING id`,
  finishRun: 'UPDATE runs SET status = $1, summary = $2::json, error = $3, finished_at = now() WHERE id = $4',
  /** $1 pipeline or null, $2 partition or null, $3 limit or null (no limit). */
  listRuns: `SELECT ${runColumns} FROM runs
    WHERE ($1::text IS NULL OR pipeline = $1) AND ($2::text IS NULL OR "partition" = $2)
    ORDER BY id DESC LIMIT $3`,

  getCheckpoint: 'SELECT state FROM checkpoints WHERE pipeline = $1 AND stream = $2 AND "partition" = $3',
  listCheckpoints: `SELECT pipeline, stream, "partition" AS "partition", state, updated_at AS "updatedAt" FROM checkpoints
    WHERE ($1::text IS NULL OR pipeline = $1) ORDER BY pipeline COLLATE "C", stream COLLATE "C", "partition" COLLATE "C"`,
  clearCheckpoint: 'DELETE FROM checkpoints WHERE pipeline = $1 AND stream = $2 AND "partition" = $3',
  putCheckpoint: `INSERT INTO checkpoints (pipeline, stream, "partition", state, updated_at) VALUES ($1, $2, $3, $4::json, now())
    ON CONFLICT (pipeline, stream, "partition") DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,

  /** $1 pipeline, $2–$6 the link key. */
  getLink: `SELECT l.target_id AS "targetId", l.updated_at AS "updatedAt", w.hash, w.content
    FROM links l LEFT JOIN link_writes w ON w.link_id = l.id AND w.pipeline = $1
    WHERE l.source_connection = $2 AND l.source_stream = $3 AND l.source_id = $4 AND l.target_connection = $5 AND l.target_entity = $6`,
  /** A page of keys at once ($1–$5 arrays, $6 pipeline): one probe of the links' UNIQUE index per key; `ord` is the key's place. */
  getLinks: `SELECT k.ord, l.target_id AS "targetId", l.updated_at AS "updatedAt", w.hash, w.content
    FROM unnest(${linkKeyArrays(1)}) WITH ORDINALITY AS k(source_connection, source_stream, source_id, target_connection, target_entity, ord)
    JOIN links l ON ${linkKeyMatches}
    LEFT JOIN link_writes w ON w.link_id = l.id AND w.pipeline = $6`,
  findLinkByTarget: `SELECT ${linkColumns}, w.hash, w.content
    FROM links l LEFT JOIN link_writes w ON w.link_id = l.id
    WHERE l.target_connection = $1 AND l.target_entity = $2 AND l.target_id = $3
    ${latestLinkOrder}`,
  findLinkFrom: `SELECT ${linkColumns}, w.hash, w.content
    FROM links l LEFT JOIN link_writes w ON w.link_id = l.id
    WHERE l.source_connection = $1 AND l.target_connection = $2 AND l.target_entity = $3 AND l.target_id = $4
    ${latestLinkOrder}`,
  /** findLinkByTarget for many destination records ($3 array of ids) in one statement: `ord` is the id's place. */
  findLinksByTarget: `SELECT k.ord, f.* FROM unnest($3::text[]) WITH ORDINALITY AS k(target_id, ord)
    CROSS JOIN LATERAL (SELECT ${linkColumns}, w.hash, w.content
      FROM links l LEFT JOIN link_writes w ON w.link_id = l.id
      WHERE l.target_connection = $1 AND l.target_entity = $2 AND l.target_id = k.target_id
      ${latestLinkOrder}) f`,
  /** findLinkFrom for many destination records ($4 array of ids) in one statement. */
  findLinksFrom: `SELECT k.ord, f.* FROM unnest($4::text[]) WITH ORDINALITY AS k(target_id, ord)
    CROSS JOIN LATERAL (SELECT ${linkColumns}, w.hash, w.content
      FROM links l LEFT JOIN link_writes w ON w.link_id = l.id
      WHERE l.source_connection = $1 AND l.target_connection = $2 AND l.target_entity = $3 AND l.target_id = k.target_id
      ${latestLinkOrder}) f`,
  /**
   * Links with distinct keys ($1–$5 keys, $6 target ids). A changed target fires links_retarget, which forgets
   * the old writes before putLinkWrites records the new ones.
   */
  putLinks: `INSERT INTO links (source_connection, source_stream, source_id, target_connection, target_entity, target_id, updated_at)
    SELECT k.source_connection, k.source_stream, k.source_id, k.target_connection, k.target_entity, k.target_id, now()
    FROM unnest(${linkKeyArrays(1)}, $6::text[]) AS k(source_connection, source_stream, source_id, target_connection, target_entity, target_id)
    ON CONFLICT (source_connection, source_stream, source_id, target_connection, target_entity)
    DO UPDATE SET target_id = excluded.target_id, updated_at = excluded.updated_at`,
  /** The writes through those links ($1–$5 keys, $6 pipelines, $7 hashes, $8 contents). */
  putLinkWrites: `INSERT INTO link_writes (link_id, pipeline, hash, content, written_at)
    SELECT l.id, k.pipeline, k.hash, k.content, now()
    FROM unnest(${linkKeyArrays(1)}, $6::text[], $7::text[], $8::json[])
      AS k(source_connection, source_stream, source_id, target_connection, target_entity, pipeline, hash, content)
    JOIN links l ON ${linkKeyMatches}
    ON CONFLICT (link_id, pipeline) DO UPDATE SET hash = excluded.hash, content = excluded.content, written_at = excluded.written_at`,
  /** Removes links ($1–$5 keys); their writes go with them (ON DELETE CASCADE). */
  deleteLinks: `DELETE FROM links l USING unnest(${linkKeyArrays(1)}) AS k(source_connection, source_stream, source_id, target_connection, target_entity)
    WHERE ${linkKeyMatches}`,

  /**
   * $1 run id, then arrays: $2 pipelines, $3 streams, $4 source ids, $5 records, $6 codes, $7 messages, $8 hints, $9 attempts,
   * $10 partitions.
   */
  insertDeadLetters: `INSERT INTO dead_letters (run_id, pipeline, "partition", stream, source_id, record, error_code, error_message, error_hint, attempts, status, created_at, updated_at)
    SELECT $1::bigint, d.pipeline, d."partition", d.stream, d.source_id, d.record, d.error_code, d.error_message, d.error_hint, d.attempts, 'open', now(), now()
    FROM unnest($2::text[], $3::text[], $4::text[], $5::json[], $6::text[], $7::text[], $8::text[], $9::integer[], $10::text[]) WITH ORDINALITY
      AS d(pipeline, stream, source_id, record, error_code, error_message, error_hint, attempts, "partition", ord)
    ORDER BY d.ord`,
  setDeadLetterStatus: 'UPDATE dead_letters SET status = $1, updated_at = now() WHERE id = ANY($2::bigint[])',
  /** Arrays: $1 ids, $2 codes, $3 messages, $4 hints, $5 attempts. */
  retryDeadLetters: `UPDATE dead_letters d SET error_code = r.error_code, error_message = r.error_message, error_hint = r.error_hint,
      attempts = r.attempts, status = 'open', updated_at = now()
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::integer[]) AS r(id, error_code, error_message, error_hint, attempts)
    WHERE d.id = r.id`,
  /** $1 pipeline or null, $2 partition or null, $3 status or null, $4 limit or null. */
  listDeadLetters: `SELECT ${deadLetterColumns} FROM dead_letters
    WHERE ($1::text IS NULL OR pipeline = $1) AND ($2::text IS NULL OR "partition" = $2) AND ($3::text IS NULL OR status = $3)
    ORDER BY id LIMIT $4`,

  getValue: 'SELECT value FROM kv WHERE namespace = $1 AND key = $2',
  /** The values of many keys ($2 array) of the namespace $1: `ord` is the key's place. */
  getValues: `SELECT k.ord, kv.value FROM unnest($2::text[]) WITH ORDINALITY AS k(key, ord) JOIN kv ON kv.namespace = $1 AND kv.key = k.key`,
  setValue: `INSERT INTO kv (namespace, key, value, updated_at) VALUES ($1, $2, $3, now())
    ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  /** Arrays with distinct (namespace, key) pairs: $1 namespaces, $2 keys, $3 values. */
  setValues: `INSERT INTO kv (namespace, key, value, updated_at) SELECT v.namespace, v.key, v.value, now()
    FROM unnest($1::text[], $2::text[], $3::text[]) AS v(namespace, key, value)
    ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  deleteValue: 'DELETE FROM kv WHERE namespace = $1 AND key = $2',

  /** $6 received at, or null for the server's now. */
  inboxInsert: `INSERT INTO webhook_inbox (connection, "trigger", delivery_id, order_key, body, received_at, status, attempts)
    VALUES ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()), 'pending', 0)
    ON CONFLICT (connection, delivery_id) DO NOTHING
    RETURNING id`,
  inboxFind: 'SELECT id FROM webhook_inbox WHERE connection = $1 AND delivery_id = $2',
  inboxGet: `SELECT ${inboxColumns} FROM webhook_inbox i WHERE i.id = $1`,
  /**
   * Claims up to $2 deliveries for the store $1 for $3 ms: the oldest unfinished delivery of each order key and
   * every unfinished one without a key, that no other store holds. SKIP LOCKED passes over rows another store is
   * claiming at this moment; a claim committed meanwhile is seen when the row is locked, and the row is dropped.
   * The claimer's own claims come back (and are renewed), as SQLite's inbox hands out the same rows until marked.
   * $4: only deliveries of this connection, or null for all.
   */
  inboxClaim: `WITH next AS (
      SELECT i.id FROM webhook_inbox i
      WHERE i.status IN ('pending', 'failed')
        AND ($4::text IS NULL OR i.connection = $4)
        AND (i.claimed_until IS NULL OR i.claimed_until <= now() OR i.claimed_by = $1)
        AND (i.order_key IS NULL OR NOT EXISTS (
          SELECT 1 FROM webhook_inbox e
          WHERE e.connection = i.connection AND e.order_key = i.order_key AND e.id < i.id
            AND e.status IN ('pending', 'failed') AND e.order_key IS NOT NULL))
      ORDER BY i.id
      LIMIT $2
      FOR UPDATE OF i SKIP LOCKED
    ), claimed AS (
      UPDATE webhook_inbox w SET claimed_by = $1, claimed_until = now() + $3::integer * interval '1 millisecond'
      FROM next WHERE w.id = next.id
      RETURNING w.*
    )
    SELECT ${inboxColumns} FROM claimed i ORDER BY i.id`,
  /**
   * $1 status, $2 attempts to add, $3 error or null, $4 id. A failed delivery stays with its claimer (which
   * retries it after a backoff) until the lease ends; any other outcome releases it.
   */
  inboxMark: `UPDATE webhook_inbox SET
      status = $1,
      attempts = attempts + $2,
      last_error = coalesce($3, CASE WHEN $1 = 'done' THEN NULL ELSE last_error END),
      processed_at = CASE WHEN $1 IN ('done', 'dead') THEN now() ELSE NULL END,
      claimed_by = CASE WHEN $1 = 'failed' THEN claimed_by ELSE NULL END,
      claimed_until = CASE WHEN $1 = 'failed' THEN claimed_until ELSE NULL END
    WHERE id = $4`,
  inboxDepth: `SELECT count(*)::integer AS depth FROM webhook_inbox WHERE status IN ('pending', 'failed')`,
  inboxCounts: 'SELECT status, count(*)::integer AS count FROM webhook_inbox GROUP BY status',
  inboxPrune: `DELETE FROM webhook_inbox WHERE status = 'done' AND processed_at < $1::timestamptz`,
} as const;
