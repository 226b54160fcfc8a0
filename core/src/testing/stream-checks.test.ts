import { describe, expect, it } from 'vitest';
import type { StreamDef } from '../contract/connector.js';
import { FerryError } from '../errors/ferry-error.js';
import { createTestContext } from './create-test-context.js';
import { ferryErrorOf } from './ferry-error-of.js';
import { memoryConnector, memoryItems, type MemoryFlaws } from './memory-connector.fixture.js';
import { checkPaging, checkResume, readAllPages, resumePoints } from './stream-checks.js';

const ctx = createTestContext({ config: { pageSize: 5 } });

function itemsOf(flaws: MemoryFlaws): StreamDef {
  const [stream] = memoryConnector(flaws).streams;
  if (stream === undefined) throw new Error('memory connector has no stream');
  return stream;
}

const failureOf = (work: Promise<unknown>): Promise<FerryError> => ferryErrorOf(work, 'CONFORMANCE_FAILED');

describe('checkPaging and checkResume', () => {
  it('pass a stream that pages and resumes correctly', async () => {
    const stream = itemsOf({});
    const pages = await checkPaging(ctx, { stream, mode: 'full', minRecords: memoryItems.length });
    expect(pages).toHaveLength(5);
    expect(await checkResume(ctx, { stream, mode: 'full', pages })).toBe(5);
  });

  it('catch a resume that reads a record again', async () => {
    const stream = itemsOf({ resumeRepeatsLast: true });
    const pages = await checkPaging(ctx, { stream, mode: 'incremental' });
    const error = await failureOf(checkResume(ctx, { stream, mode: 'incremental', pages }));
    expect(error.message).toContain('unexpected i04');
  });

  it('catch a resume that skips a record', async () => {
    const stream = itemsOf({ resumeSkipsOne: true });
    const pages = await checkPaging(ctx, { stream, mode: 'full' });
    expect((await failureOf(checkResume(ctx, { stream, mode: 'full', pages }))).message).toContain('missing i05');
  });

  it('catch a key read twice across pages, a record without a key, a record against the schema, and a state that is not JSON', async () => {
    expect((await failureOf(checkPaging(ctx, { stream: itemsOf({ duplicateAcrossPages: true }), mode: 'full' }))).message).toContain('primary key i04 was already read on page 1');
    expect((await failureOf(checkPaging(ctx, { stream: itemsOf({ keylessRecord: true }), mode: 'full' }))).message).toContain("no primary key 'id'");
    expect((await failureOf(checkPaging(ctx, { stream: itemsOf({ schemaViolation: true }), mode: 'full' }))).message).toContain('record i05 does not match the record schema: /name must be string');
    expect((await failureOf(checkPaging(ctx, { stream: itemsOf({ nonJsonState: true }), mode: 'full' }))).message).toContain('JSON round trip');
  });

  it('catch a stream with fewer records than the fixture expects', async () => {
    expect((await failureOf(checkPaging(ctx, { stream: itemsOf({}), mode: 'full', minRecords: 100 }))).message).toContain('yielded 23 records, expected at least 100');
  });

  it('stop a stream that never ends', async () => {
    const endless: StreamDef = {
      ...itemsOf({}),
      async *read() {
        for (let i = 0; ; i += 1) yield await Promise.resolve({ records: [{ id: `x${i}` }], state: { i } });
      },
    };
    expect((await failureOf(readAllPages(endless, ctx, { mode: 'full', maxPages: 50 }))).message).toContain('did not end after 50 pages');
  });

  it('spread resume points over many pages, first and last included', () => {
    expect(resumePoints(3, 25)).toEqual([0, 1, 2]);
    const points = resumePoints(1000, 5);
    expect(points).toEqual([0, 250, 500, 749, 999]);
  });
});
