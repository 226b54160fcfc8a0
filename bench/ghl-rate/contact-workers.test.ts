import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { forEachConcurrently, readAhead } from './contact-workers.js';

describe('readAhead', () => {
  it('yields every item in order and asks for the next page while the current one is consumed', async () => {
    const asked: number[] = [];
    async function* pages(): AsyncGenerator<number[]> {
      for (let page = 0; page < 3; page += 1) {
        asked.push(page);
        yield [page * 10, page * 10 + 1];
      }
    }
    const seen: number[] = [];
    const askedWhenSeen: number[] = [];
    for await (const item of readAhead(pages())) {
      seen.push(item);
      askedWhenSeen.push(asked.length);
    }
    expect(seen).toEqual([0, 1, 10, 11, 20, 21]);
    // While page 0 was consumed, page 1 had been asked for already.
    expect(askedWhenSeen[0]).toBe(2);
  });

  it('passes on a failed page', async () => {
    async function* pages(): AsyncGenerator<number[]> {
      yield [1];
      throw new Error('page 2 failed');
    }
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const item of readAhead(pages())) seen.push(item);
      })(),
    ).rejects.toThrow('page 2 failed');
    expect(seen).toEqual([1]);
  });
});

describe('forEachConcurrently', () => {
  it('gives each item to exactly one worker, never more than `concurrency` at once', async () => {
    async function* items(): AsyncGenerator<number> {
      for (let i = 0; i < 50; i += 1) yield i;
    }
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachConcurrently(items(), 4, async (item) => {
      running += 1;
      peak = Math.max(peak, running);
      await sleep(item % 3);
      running -= 1;
      done.push(item);
    });
    expect(peak).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
