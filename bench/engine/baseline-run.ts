import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { createTestContext } from '@ferry/core/testing';
import { openStore } from '@ferry/core';
import { benchSource } from './bench-source.js';
import { cpuMsSince, type MeasuredRun, type RunFiles } from './engine-run.js';
import { mapContact, passesFilter, PIPELINE_NAME, SOURCE_STREAM, TARGET_TABLE, type BenchContact, type BenchRow } from './records.js';

/** The warehouse table exactly as the sqlite destination creates it for the pipeline's map. */
const CREATE_TABLE = `CREATE TABLE "${TARGET_TABLE}" ("id" TEXT PRIMARY KEY NOT NULL, "city" TEXT, "company" TEXT, "email" TEXT,
  "first_name" TEXT, "last_name" TEXT, "phone" TEXT, "score" REAL, "source" TEXT, "status" TEXT, "tags" TEXT, "updated_at" TEXT)`;

const COLUMNS = ['city', 'company', 'email', 'first_name', 'id', 'last_name', 'phone', 'score', 'source', 'status', 'tags', 'updated_at'] as const;
const UPDATED = COLUMNS.filter((column) => column !== 'id');

/** The destination's upsert: unchanged values change nothing. */
const UPSERT = `INSERT INTO "${TARGET_TABLE}" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT ("id") DO UPDATE SET ${UPDATED.map((c) => `"${c}" = excluded."${c}"`).join(', ')}
  WHERE ${UPDATED.map((c) => `"${TARGET_TABLE}"."${c}" IS NOT excluded."${c}"`).join(' OR ')}`;

/** Values in COLUMNS order; the list becomes JSON text, as the destination stores it. */
function rowValues(row: BenchRow): (string | number)[] {
  return [row.city, row.company, row.email, row.first_name, row.id, row.last_name, row.phone, row.score, row.source, row.status, JSON.stringify(row.tags), row.updated_at];
}

interface PendingLink {
  readonly sourceId: string;
  readonly hash: string;
  readonly content: string;
}

/**
 * A hand-written loop doing the engine's work with nothing in between: the same pages from the same source, the
 * filter and map as plain JavaScript, the same rows upserted into a warehouse file, and the same link rows and
 * checkpoints committed to a store file (the store's own schema) in one transaction per `batchSize` records, the
 * warehouse's rows committed first. It de-duplicates like the engine: one link look-up per record.
 */
export async function runBaseline(files: RunFiles, options: { readonly records: number; readonly batchSize: number }): Promise<MeasuredRun> {
  // The store's schema, made by the store itself; then plain SQL against it.
  openStore(files.store, '/').close();
  const store = new Database(files.store);
  store.pragma('journal_mode = WAL');
  store.pragma('synchronous = NORMAL');
  store.pragma('foreign_keys = ON');
  const warehouse = new Database(files.warehouse);
  warehouse.pragma('journal_mode = WAL');
  warehouse.pragma('synchronous = NORMAL');
  warehouse.exec(CREATE_TABLE);

  const upsert = warehouse.prepare(UPSERT);
  const lookUp = store
    .prepare(
      `SELECT w.hash FROM links l LEFT JOIN link_writes w ON w.link_id = l.id AND w.pipeline = ?
       WHERE l.source_connection = ? AND l.source_stream = ? AND l.source_id = ? AND l.target_connection = ? AND l.target_entity = ?`,
    )
    .pluck();
  const putLink = store
    .prepare(
      `INSERT INTO links (source_connection, source_stream, source_id, target_connection, target_entity, target_id, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source_connection, source_stream, source_id, target_connection, target_entity)
       DO UPDATE SET target_id = excluded.target_id, updated_at = excluded.updated_at
       RETURNING id`,
    )
    .pluck();
  const putLinkWrite = store.prepare(
    `INSERT INTO link_writes (link_id, pipeline, hash, content, written_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (link_id, pipeline) DO UPDATE SET hash = excluded.hash, content = excluded.content, written_at = excluded.written_at`,
  );
  const putCheckpoint = store.prepare(
    `INSERT INTO checkpoints (pipeline, stream, "partition", state, updated_at) VALUES (?, ?, '', ?, ?)
     ON CONFLICT (pipeline, stream, "partition") DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
  );
  const commitLinks = store.transaction((links: readonly PendingLink[], state: string | undefined) => {
    const at = new Date().toISOString();
    if (state !== undefined) putCheckpoint.run(PIPELINE_NAME, SOURCE_STREAM, state, at);
    for (const link of links) {
      const linkId = putLink.get('source', SOURCE_STREAM, link.sourceId, 'warehouse', TARGET_TABLE, link.sourceId, at);
      putLinkWrite.run(linkId, PIPELINE_NAME, link.hash, link.content, at);
    }
  });
  const runId = store.prepare(`INSERT INTO runs (pipeline, mode, "trigger", status, started_at) VALUES (?, 'incremental', 'manual', 'running', ?)`).run(PIPELINE_NAME, new Date().toISOString()).lastInsertRowid;

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let read = 0;
  let written = 0;
  let skipped = 0;
  let acked = 0;
  let links: PendingLink[] = [];
  let doneState: string | undefined;
  let committedState: string | undefined;
  const commit = (): void => {
    if (warehouse.inTransaction) warehouse.exec('COMMIT');
    const state = doneState === committedState ? undefined : doneState;
    if (state === undefined && links.length === 0) return;
    commitLinks.immediate(links, state);
    committedState = doneState;
    links = [];
    acked = 0;
  };

  const stream = benchSource.streams[0];
  if (stream === undefined) throw new Error('the bench source has no stream');
  const ctx = createTestContext({ connection: 'source', config: { count: options.records } });
  for await (const page of stream.read(ctx, { mode: 'incremental', state: undefined, params: {} })) {
    const records = page.records as readonly BenchContact[];
    for (let index = 0; index < records.length; index++) {
      const contact = records[index] as BenchContact;
      read += 1;
      if (passesFilter(contact)) {
        const row = mapContact(contact);
        const content = JSON.stringify(row);
        const hash = createHash('sha256').update(content).digest('hex');
        if (lookUp.get(PIPELINE_NAME, 'source', SOURCE_STREAM, row.id, 'warehouse', TARGET_TABLE) !== hash) {
          if (!warehouse.inTransaction) warehouse.exec('BEGIN');
          upsert.run(rowValues(row));
          links.push({ sourceId: row.id, hash, content });
          written += 1;
        }
      } else {
        skipped += 1;
      }
      if (index === records.length - 1) doneState = JSON.stringify(page.state);
      acked += 1;
      if (acked === options.batchSize) commit();
    }
  }
  commit();
  const elapsedMs = performance.now() - started;
  const cpuMs = cpuMsSince(cpuBefore);

  store
    .prepare(`UPDATE runs SET status = 'succeeded', summary = ?, finished_at = ? WHERE id = ?`)
    .run(JSON.stringify({ read, written, skipped }), new Date().toISOString(), runId);
  store.close();
  warehouse.close();
  return { records: read, elapsedMs, cpuMs, written, skipped };
}
