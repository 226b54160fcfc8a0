import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import type { RunFiles } from './engine-run.js';
import { PIPELINE_NAME, SOURCE_STREAM, TARGET_TABLE } from './records.js';

/** What a run leaves behind, reduced to what two runs doing the same work must agree on. */
export interface OutputDigest {
  /** Rows in the warehouse table. */
  readonly rows: number;
  /** Links (with this pipeline's hash and content) in the store. */
  readonly links: number;
  /** The committed checkpoint state, as JSON. */
  readonly checkpoint: string | undefined;
  /** sha256 over every warehouse row and every link (source id, target id, hash, content), in id order. */
  readonly sha256: string;
}

/** Reads both files back (streaming, never all rows at once) and digests them. */
export function outputDigest(files: RunFiles): OutputDigest {
  const hash = createHash('sha256');
  let rows = 0;
  let links = 0;
  const warehouse = new Database(files.warehouse, { readonly: true });
  try {
    for (const row of warehouse.prepare(`SELECT * FROM "${TARGET_TABLE}" ORDER BY id`).raw().iterate()) {
      hash.update(JSON.stringify(row));
      rows += 1;
    }
  } finally {
    warehouse.close();
  }
  const store = new Database(files.store, { readonly: true });
  try {
    const linkRows = store
      .prepare(
        `SELECT l.source_connection, l.source_stream, l.source_id, l.target_connection, l.target_entity, l.target_id, w.hash, w.content
         FROM links l JOIN link_writes w ON w.link_id = l.id AND w.pipeline = ? ORDER BY l.source_id`,
      )
      .raw()
      .iterate(PIPELINE_NAME);
    for (const row of linkRows) {
      hash.update(JSON.stringify(row));
      links += 1;
    }
    const checkpoint = store.prepare(`SELECT state FROM checkpoints WHERE pipeline = ? AND stream = ?`).pluck().get(PIPELINE_NAME, SOURCE_STREAM);
    return { rows, links, checkpoint: typeof checkpoint === 'string' ? checkpoint : undefined, sha256: hash.digest('hex') };
  } finally {
    store.close();
  }
}
