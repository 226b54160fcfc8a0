import type { Migration } from '../migrations.js';

/**
 * The PostgreSQL store's schema: the same versions and names as STORE_MIGRATIONS (SQLite), in PostgreSQL's
 * DDL. A released migration is never edited; a change to the schema is a new migration in both lists. Tables
 * are created unqualified: the store's connections set search_path to its schema.
 *
 * JSON values (states, summaries, contents, records) are `json`, which keeps the text exactly as written and
 * accepts every string JSON.stringify produces; `jsonb` would reorder keys and refuse \u0000. Times are
 * `timestamptz` from the server's clock, the one clock every machine of a shared store agrees on.
 */

const runsCheckpointsLinksDeadLetters = `
CREATE TABLE runs (
  -- An identity never hands the same id out twice, even after old runs are pruned.
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pipeline    text NOT NULL,
  mode        text NOT NULL,
  "trigger"   text NOT NULL,
  status      text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'stopped', 'partial')),
  started_at  timestamptz NOT NULL,
  finished_at timestamptz,
  summary     json,
  error       text
);
CREATE INDEX runs_by_pipeline ON runs (pipeline, id);

CREATE TABLE checkpoints (
  pipeline    text NOT NULL,
  stream      text NOT NULL,
  "partition" text NOT NULL DEFAULT '',
  state       json NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (pipeline, stream, "partition")
);

CREATE TABLE links (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source_connection text NOT NULL,
  source_stream     text NOT NULL,
  source_id         text NOT NULL,
  target_connection text NOT NULL,
  target_entity     text NOT NULL,
  target_id         text NOT NULL,
  updated_at        timestamptz NOT NULL,
  UNIQUE (source_connection, source_stream, source_id, target_connection, target_entity)
);
CREATE INDEX links_by_target ON links (target_connection, target_entity, target_id);

-- What each pipeline last wrote through a link: two pipelines with different maps keep different hashes.
-- seq orders writes made in the same transaction (SQLite uses the rowid).
CREATE TABLE link_writes (
  link_id    bigint NOT NULL REFERENCES links (id) ON DELETE CASCADE,
  pipeline   text NOT NULL,
  hash       text NOT NULL,
  content    json NOT NULL,
  written_at timestamptz NOT NULL,
  seq        bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (link_id, pipeline)
);

-- A link that now points at another destination record (the old one was deleted and recreated) forgets what
-- every pipeline wrote to the old one; otherwise an unchanged hash would skip writing the new record.
-- search_path is fixed to this schema's, whoever fires the trigger.
CREATE FUNCTION links_forget_writes() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  DELETE FROM link_writes WHERE link_id = NEW.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER links_retarget AFTER UPDATE OF target_id ON links
FOR EACH ROW WHEN (OLD.target_id IS DISTINCT FROM NEW.target_id)
EXECUTE FUNCTION links_forget_writes();

CREATE TABLE dead_letters (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id        bigint NOT NULL REFERENCES runs (id),
  pipeline      text NOT NULL,
  stream        text NOT NULL,
  source_id     text,
  record        json NOT NULL,
  error_code    text NOT NULL,
  error_message text NOT NULL,
  error_hint    text,
  attempts      integer NOT NULL,
  status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replayed', 'discarded')),
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX dead_letters_by_pipeline ON dead_letters (pipeline, status, id);
CREATE INDEX dead_letters_by_run ON dead_letters (run_id);

CREATE TABLE kv (
  namespace  text NOT NULL,
  key        text NOT NULL,
  value      text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (namespace, key)
);
`;

/**
 * As SQLite's, plus a claim: several machines take deliveries from one inbox, and a delivery handed to one
 * store (claimed_by) is not handed to another until that store marks it or its lease (claimed_until) runs out.
 */
const webhookInbox = `
CREATE TABLE webhook_inbox (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  connection    text NOT NULL,
  "trigger"     text NOT NULL,
  delivery_id   text NOT NULL,
  order_key     text,
  body          bytea NOT NULL,
  received_at   timestamptz NOT NULL,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed', 'dead')),
  attempts      integer NOT NULL DEFAULT 0,
  last_error    text,
  processed_at  timestamptz,
  claimed_by    text,
  claimed_until timestamptz,
  UNIQUE (connection, delivery_id)
);
-- Partial indexes stay as small as the backlog, however many deliveries were processed before.
CREATE INDEX webhook_inbox_open ON webhook_inbox (id) WHERE status IN ('pending', 'failed');
CREATE INDEX webhook_inbox_open_by_order ON webhook_inbox (connection, order_key, id)
  WHERE status IN ('pending', 'failed') AND order_key IS NOT NULL;
CREATE INDEX webhook_inbox_finished ON webhook_inbox (processed_at) WHERE status = 'done';
`;

const runsPartition = `
ALTER TABLE runs ADD COLUMN "partition" text NOT NULL DEFAULT '';
`;

/** As SQLite's: letters written before this step take their run's partition. */
const deadLettersPartition = `
ALTER TABLE dead_letters ADD COLUMN "partition" text NOT NULL DEFAULT '';
UPDATE dead_letters d SET "partition" = r."partition" FROM runs r WHERE r.id = d.run_id AND r."partition" <> '';
CREATE INDEX dead_letters_by_partition ON dead_letters (pipeline, "partition", status, id);
`;

export const POSTGRES_MIGRATIONS: readonly Migration[] = Object.freeze([
  { version: 1, name: 'runs, checkpoints, links, dead letters, kv', up: runsCheckpointsLinksDeadLetters },
  { version: 2, name: 'webhook inbox', up: webhookInbox },
  { version: 3, name: 'runs partition', up: runsPartition },
  { version: 4, name: 'dead letters partition', up: deadLettersPartition },
]);
