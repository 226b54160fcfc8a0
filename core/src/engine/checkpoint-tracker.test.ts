import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CheckpointTracker } from './checkpoint-tracker.js';

describe('CheckpointTracker', () => {
  it('commits a page only when it and every earlier page are acknowledged', () => {
    const tracker = new CheckpointTracker();
    const first = tracker.open({ page: 0 }, 2);
    tracker.seal(first);
    const second = tracker.open({ page: 1 }, 1);
    tracker.seal(second);
    tracker.ack(second);
    expect(tracker.takeAdvance()).toBeUndefined();
    tracker.ack(first);
    expect(tracker.takeAdvance()).toBeUndefined();
    tracker.ack(first);
    expect(tracker.takeAdvance()).toEqual({ page: 1 });
    expect(tracker.takeAdvance()).toBeUndefined();
    expect(tracker.settled).toBe(true);
  });

  it('never commits a page that was cut short (not sealed)', () => {
    const tracker = new CheckpointTracker();
    const page = tracker.open({ page: 0 }, 1);
    tracker.ack(page);
    expect(tracker.takeAdvance()).toBeUndefined();
    expect(tracker.settled).toBe(false);
  });

  it('passes empty pages through as soon as everything before them is done', () => {
    const tracker = new CheckpointTracker();
    const empty = tracker.open({ page: 0 }, 0);
    tracker.seal(empty);
    expect(tracker.takeAdvance()).toEqual({ page: 0 });
  });

  it('under any completion order, the committable state never passes an unacknowledged record', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 40 }),
        fc.infiniteStream(fc.nat()),
        (pageSizes, choices) => {
          const tracker = new CheckpointTracker();
          const open: { page: number; ticket: ReturnType<CheckpointTracker['open']> }[] = [];
          pageSizes.forEach((size, page) => {
            const ticket = tracker.open({ page }, size);
            tracker.seal(ticket);
            for (let i = 0; i < size; i += 1) open.push({ page, ticket });
          });
          const choose = choices[Symbol.iterator]();
          let committed = -1;
          while (open.length > 0) {
            const pick = (choose.next().value ?? 0) % open.length;
            const [done] = open.splice(pick, 1);
            if (done === undefined) throw new Error('unreachable');
            tracker.ack(done.ticket);
            const advanced = tracker.takeAdvance();
            if (advanced !== undefined) committed = advanced['page'] as number;
            const firstUnacked = open.reduce((min, entry) => Math.min(min, entry.page), Number.POSITIVE_INFINITY);
            // Every page up to the committed one is fully acknowledged.
            expect(committed).toBeLessThan(firstUnacked);
          }
          // Once everything is acknowledged the last page (or a trailing empty one) is committable.
          expect(tracker.committable).toEqual({ page: pageSizes.length - 1 });
        },
      ),
      { numRuns: 300 },
    );
  });
});
