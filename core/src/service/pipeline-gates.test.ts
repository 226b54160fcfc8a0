import { describe, expect, it } from 'vitest';
import { PipelineGates } from './pipeline-gates.js';

describe('PipelineGates', () => {
  it('lets one run hold a pipeline; a try while it runs fails, other pipelines are free', () => {
    const gates = new PipelineGates();
    const release = gates.tryAcquire('a', 'schedule');
    expect(release).toBeDefined();
    expect(gates.tryAcquire('a', 'schedule')).toBeUndefined();
    expect(gates.holder('a')).toBe('schedule');
    const other = gates.tryAcquire('b', 'webhook');
    expect([...gates.running()]).toEqual([
      ['a', 'schedule'],
      ['b', 'webhook'],
    ]);
    release?.();
    release?.(); // twice is harmless
    other?.();
    expect(gates.running().size).toBe(0);
  });

  it('hands the gate to waiters in arrival order, and a try does not jump the queue', async () => {
    const gates = new PipelineGates();
    const first = gates.tryAcquire('a', 'schedule');
    const order: string[] = [];
    const second = gates.acquire('a', 'webhook').then((release) => (order.push('second'), release));
    const third = gates.acquire('a', 'webhook').then((release) => (order.push('third'), release));
    first?.();
    expect(gates.tryAcquire('a', 'schedule')).toBeUndefined(); // already handed to the second
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(gates.running().size).toBe(0);
  });
});
