import { describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { InFlightGate } from './in-flight-gate.js';
import { pulledPages } from './pulled-pages.js';

async function* counter(limit: number, pulled: { count: number; closed: boolean }): AsyncGenerator<number> {
  try {
    for (let i = 0; i < limit; i += 1) {
      pulled.count += 1;
      await Promise.resolve();
      yield i;
    }
  } finally {
    pulled.closed = true;
  }
}

describe('pulledPages', () => {
  it('reads to the end when there is always room', async () => {
    const pulled = { count: 0, closed: false };
    const all = await lastValueFrom(pulledPages(() => counter(5, pulled), { room: () => undefined, stopped: () => false }).pipe(toArray()));
    expect(all).toEqual([0, 1, 2, 3, 4]);
  });

  it('pulls the next item only when the gate has room', async () => {
    const pulled = { count: 0, closed: false };
    const gate = new InFlightGate(2);
    const seen: number[] = [];
    const done = new Promise<void>((resolve) => {
      pulledPages(() => counter(10, pulled), { room: () => gate.room(), stopped: () => false }).subscribe({
        next: (value) => {
          seen.push(value);
          gate.enter(1);
        },
        complete: resolve,
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Two items fill the gate; the producer was asked for exactly those two and nothing more.
    expect(seen).toEqual([0, 1]);
    expect(pulled.count).toBe(2);
    gate.leave(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seen).toEqual([0, 1, 2]);
    expect(pulled.count).toBe(3);
    gate.leave(10);
    await done;
    expect(seen).toHaveLength(10);
  });

  it('stops pulling and closes the source when told to stop', async () => {
    const pulled = { count: 0, closed: false };
    let stop = false;
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      pulledPages(() => counter(1000, pulled), { room: () => undefined, stopped: () => stop }).subscribe({
        next: (value) => {
          seen.push(value);
          if (value === 3) stop = true;
        },
        complete: resolve,
      });
    });
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(pulled.count).toBe(4);
    expect(pulled.closed).toBe(true);
  });

  it('reports a failing source as an error', async () => {
    async function* failing(): AsyncGenerator<number> {
      yield 1;
      throw new Error('boom');
    }
    await expect(lastValueFrom(pulledPages(failing, { room: () => undefined, stopped: () => false }).pipe(toArray()))).rejects.toThrow('boom');
  });
});
