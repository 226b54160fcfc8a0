import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WritesInFlight } from './writes-in-flight.js';

interface Job {
  readonly id: string;
  readonly serial: number;
}

describe('WritesInFlight', () => {
  it('answers the newest write of an id until it finishes', () => {
    const writes = new WritesInFlight<Job>();
    const first = { id: 'a', serial: 1 };
    const second = { id: 'a', serial: 2 };
    writes.set('a', first);
    writes.set('a', second);
    expect(writes.get('a')).toBe(second);
    // The earlier write finishing does not forget the later one.
    writes.finished('a', first);
    expect(writes.get('a')).toBe(second);
    expect(writes.has('a')).toBe(true);
    writes.finished('a', second);
    expect(writes.get('a')).toBeUndefined();
    expect(writes.has('a')).toBe(false);
  });

  it('keeps every write still in flight across many renewals, and nothing that finished', () => {
    const writes = new WritesInFlight<Job>();
    // Slow writes start first and outlast thousands of quick ones started and finished after them.
    const slow = Array.from({ length: 500 }, (_, serial) => ({ id: `slow${serial}`, serial }));
    for (const job of slow) writes.set(job.id, job);
    const quick: Job[] = [];
    for (let serial = 0; serial < 20_000; serial++) {
      const job = { id: `quick${serial}`, serial };
      writes.set(job.id, job);
      quick.push(job);
      if (quick.length > 50) {
        const done = quick.shift();
        if (done !== undefined) writes.finished(done.id, done);
      }
    }
    for (const job of slow) expect(writes.get(job.id)).toBe(job);
    for (const job of quick) expect(writes.get(job.id)).toBe(job);
    expect(writes.has('quick0')).toBe(false);
    expect(writes.has('quick19000')).toBe(false);
  });

  it('behaves as a plain map of the newest write per id, whatever the order of events', () => {
    // More starts than finishes, so that some writes stay in flight while the map is renewed under them.
    const event = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('start' as const), id: fc.integer({ min: 0, max: 300 }) }), weight: 3 },
      { arbitrary: fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.array(event, { minLength: 2000, maxLength: 4000 }), (events) => {
        const writes = new WritesInFlight<Job>();
        const model = new Map<string, Job>();
        const started: Job[] = [];
        for (const [serial, step] of events.entries()) {
          if (step.kind === 'start') {
            const job = { id: `r${step.id}`, serial };
            writes.set(job.id, job);
            model.set(job.id, job);
            started.push(job);
          } else if (started.length > 0) {
            const job = started.splice(step.pick % started.length, 1)[0];
            if (job === undefined) continue;
            writes.finished(job.id, job);
            if (model.get(job.id) === job) model.delete(job.id);
          }
        }
        for (let id = 0; id <= 300; id++) expect(writes.get(`r${id}`)).toBe(model.get(`r${id}`));
      }),
      { numRuns: 100 },
    );
  });
});
