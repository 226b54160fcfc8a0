/**
 * The store's schema, one versioned step at a time. A released migration is never edited: a change to the
 * schema is a new migration with the next version. Each `up` runs in one transaction with its version row.
 * SQL keywords used as column names ("trigger", "partition") are quoted.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** SQL, possibly several statements; DDL only (PRAGMAs are not transactional and do not belong here). */
  readonly up: string;
}

const runsCheckpointsLinksDeadLetters = `
CREATE TABLE runs (
  -- AUTOINCREMENT: a run id is never reused, even after old runs are pruned, so ids in logs stay unambiguous.
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  pipeline    TEXT NOT NULL,
  mode        TEXT NOT NULL,
  "trigger"   TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'stopped', 'partial')),
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  summary     TEXT,
  error       TEXT
);
CREATE INDEX runs_by_pipeline ON runs (pipeline, id);

CREATE TABLE checkpoints (
  pipeline    TEXT NOT NULL,
  stream      TEXT NOT NULL,
  "partition" TEXT NOT NULL DEFAULT '',
  state       TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (pipeline, stream, "partition")
) WITHOUT ROWID;

CREATE TABLE links (
  id                INTEGER PRIMARY KEY,
  source_connection TEXT NOT NULL,
  source_stream     TEXT NOT NULL,
  source_id         TEXT NOT NULL,
  target_connection TEXT NOT NULL,
  target_entity     TEXT NOT NULL,
  target_id         TEXT NOT NULL,
  updated_at        TEXT NOT NULL,
  UNIQUE (source_connection, source_stream, source_id, target_connection, target_entity)
);
CREATE INDEX links_by_target ON links (target_connection, target_entity, target_id);

-- What each pipeline last wrote through a link: two pipelines with different maps keep different hashes.
CREATE TABLE link_writes (
  link_id    INTEGER NOT NULL REFERENCES links (id) ON DELETE CASCADE,
  pipeline   TEXT NOT NULL,
  hash       TEXT NOT NULL,
  content    TEXT NOT NULL,
  written_at TEXT NOT NULL,
  PRIMARY KEY (link_id, pipeline)
);

-- A link that now points at another destination record (the old one was deleted and recreated) forgets what
-- every pipeline wrote to the old one; otherwise an unchanged hash would skip writing the new record.
CREATE TRIGGER links_retarget AFTER UPDATE OF target_id ON links
WHEN old.target_id IS NOT new.target_id
BEGIN
  DELETE FROM link_writes WHERE link_id = new.id;
END;

CREATE TABLE dead_letters (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id        INTEGER NOT NULL REFERENCES runs (id),
  pipeline      TEXT NOT NULL,
  stream        TEXT NOT NULL,
  source_id     TEXT,
  record        TEXT NOT NULL,
  error_code    TEXT NOT NULL,
  error_message TEXT NOT NULL,
  error_hint    TEXT,
  attempts      INTEGER NOT NULL,
  status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replayed', 'discarded')),
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX dead_letters_by_pipeline ON dead_letters (pipeline, status, id);
CREATE INDEX dead_letters_by_run ON dead_letters (run_id);

CREATE TABLE kv (
  namespace  TEXT NOT NULL,
  key        TEXT NOT NULL,
  value      TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (namespace, key)
) WITHOUT ROWID;
`;

const webhookInbox = `
CREATE TABLE webhook_inbox (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  connection   TEXT NOT NULL,
  "trigger"    TEXT NOT NULL,
  delivery_id  TEXT NOT NULL,
  order_key    TEXT,
  body         BLOB NOT NULL,
  received_at  TEXT NOT NULL,
  status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed', 'dead')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT,
  processed_at TEXT,
  UNIQUE (connection, delivery_id)
);
-- Partial indexes stay as small as the backlog, however many deliveries were processed before.
CREATE INDEX webhook_inbox_open ON webhook_inbox (id) WHERE status IN ('pending', 'failed');
CREATE INDEX webhook_inbox_open_by_order ON webhook_inbox (connection, order_key, id)
  WHERE status IN ('pending', 'failed') AND order_key IS NOT NULL;
CREATE INDEX webhook_inbox_finished ON webhook_inbox (processed_at) WHERE status = 'done';
`;

// A run of a partitioned pipeline (one location of many) names its partition; '' when unpartitioned.
const runsPartition = `
ALTER TABLE runs ADD COLUMN "partition" TEXT NOT NULL DEFAULT '';
`;

// A dead letter names the partition of the run that wrote it, so a replay writes it through that partition. Letters
// written before this step take their run's partition (runs have one since step 3); '' when the run had none.
const deadLettersPartition = `
ALTER TABLE dead_letters ADD COLUMN "partition" TEXT NOT NULL DEFAULT '';
UPDATE dead_letters SET "partition" = coalesce((SELECT r."partition" FROM runs r WHERE r.id = dead_letters.run_id), '');
CREATE INDEX dead_letters_by_partition ON dead_letters (pipeline, "partition", status, id);
`;

/** Versions and names are shared with POSTGRES_MIGRATIONS (postgres/postgres-migrations.ts): both stores move in step. */
export const STORE_MIGRATIONS: readonly Migration[] = Object.freeze([
  { version: 1, name: 'runs, checkpoints, links, dead letters, kv', up: runsCheckpointsLinksDeadLetters },
  { version: 2, name: 'webhook inbox', up: webhookInbox },
  { version: 3, name: 'runs partition', up: runsPartition },
  { version: 4, name: 'dead letters partition', up: deadLettersPartition },
]);
