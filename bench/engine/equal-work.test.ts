import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBaseline } from './baseline-run.js';
import { runEngine, runFiles } from './engine-run.js';
import { outputDigest } from './output-digest.js';
import { contactAt, mapContact, passesFilter } from './records.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ferry-bench-${name}-`));
  dirs.push(dir);
  return dir;
}

const RECORDS = 2500;
const options = { records: RECORDS, batchSize: 500, concurrency: 4 };

describe('the engine benchmark', () => {
  it('has the engine and the hand-written loop leave the same rows, links and checkpoint', async () => {
    const engineDir = tempDir('engine');
    const engine = await runEngine(engineDir, options);
    expect(engine.result.status).toBe('succeeded');
    const baselineDir = tempDir('baseline');
    const baseline = await runBaseline(runFiles(baselineDir), options);

    const filtered = Array.from({ length: RECORDS }, (_, index) => contactAt(index)).filter(passesFilter);
    expect(engine).toMatchObject({ records: RECORDS, written: filtered.length, skipped: RECORDS - filtered.length });
    expect(baseline).toMatchObject({ records: RECORDS, written: filtered.length, skipped: RECORDS - filtered.length });

    const fromEngine = outputDigest(runFiles(engineDir));
    expect(fromEngine).toMatchObject({ rows: filtered.length, links: filtered.length, checkpoint: JSON.stringify({ offset: RECORDS }) });
    expect(outputDigest(runFiles(baselineDir))).toEqual(fromEngine);
  });

  it('maps by hand as the pipeline declares it: trimmed names, lower-cased e-mails, the city out of the address', () => {
    const contact = contactAt(7);
    expect(mapContact(contact)).toEqual({
      city: 'Perth',
      company: `${contact.last_name} & Co`,
      email: contact.email.toLowerCase(),
      first_name: 'Ken',
      id: 'c00000007',
      last_name: contact.last_name,
      phone: '+15550000007',
      score: 0.7,
      source: 'bench',
      status: 'customer',
      tags: contact.tags,
      updated_at: '2024-01-01T00:00:07.000Z',
    });
    expect(passesFilter(contactAt(10))).toBe(false);
  });
});
