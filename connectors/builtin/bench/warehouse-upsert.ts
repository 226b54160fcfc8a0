/**
 * How fast the sqlite warehouse takes single-record upserts, as the engine sends them (a few in flight at once),
 * next to hand-written better-sqlite3 loops over the same rows.
 *   node --import tsx connectors/builtin/bench/warehouse-upsert.ts [records=200000] [inFlight=4]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createTestContext } from '@ferry/core/testing';
import { sqlite } from '../src/index.js';

const records = Number(process.argv[2] ?? 200_000);
const inFlight = Number(process.argv[3] ?? 4);
const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-'));
const schema = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' }, visits: { type: 'integer' }, score: { type: 'number' }, vip: { type: 'boolean' } },
};
const row = (i: number) => ({ id: `c${i}`, name: `Person ${i}`, email: `p${i}@example.com`, visits: i % 100, score: i / 7, vip: i % 3 === 0 });

function rate(label: string, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  console.log(`${label.padEnd(44)} ${Math.round(records / seconds).toLocaleString('en').padStart(10)} records/s  (${seconds.toFixed(2)} s)`);
}

async function throughConnector(): Promise<void> {
  const ctx = createTestContext({ config: { path: 'connector.db' }, baseDir: dir });
  const [upsert] = sqlite.actions;
  const source = { connector: 'bench', stream: 'contacts', schema, primaryKey: 'id' };
  let next = 0;
  const started = performance.now();
  // Like the engine: `inFlight` workers, each starting the next record when its previous one is acknowledged.
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < records) {
        const i = next;
        next += 1;
        await upsert.run(ctx, { input: row(i), options: {}, linkedId: undefined, source });
      }
    }),
  );
  rate(`connector upsert (${inFlight} in flight, group commit)`, started);
}

function handWritten(label: string, file: string, rowsPerCommit: number): void {
  const db = new Database(join(dir, file));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE contacts (id TEXT PRIMARY KEY NOT NULL, name TEXT, email TEXT, visits INTEGER, score REAL, vip INTEGER)');
  const insert = db.prepare(
    'INSERT INTO contacts (id, name, email, visits, score, vip) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, visits = excluded.visits, score = excluded.score, vip = excluded.vip',
  );
  const started = performance.now();
  for (let i = 0; i < records; i += 1) {
    if (rowsPerCommit > 1 && i % rowsPerCommit === 0) db.exec('BEGIN');
    const r = row(i);
    insert.run(r.id, r.name, r.email, r.visits, r.score, r.vip ? 1 : 0);
    if (rowsPerCommit > 1 && (i % rowsPerCommit === rowsPerCommit - 1 || i === records - 1)) db.exec('COMMIT');
  }
  rate(label, started);
  db.close();
}

try {
  await throughConnector();
  handWritten('hand-written loop, one commit per row', 'autocommit.db', 1);
  handWritten(`hand-written loop, ${inFlight} rows per commit`, 'grouped.db', inFlight);
  handWritten('hand-written loop, one transaction of 1000', 'batched.db', 1000);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
