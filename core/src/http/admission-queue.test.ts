import { describe, expect, it } from 'vitest';
import { AdmissionQueue } from './admission-queue.js';

describe('AdmissionQueue', () => {
  it('hands out by priority, then in arrival order', () => {
    const queue = new AdmissionQueue<string>();
    queue.push('c5');
    queue.push('a9', 9);
    queue.push('b0', 0);
    queue.push('d5', 5);
    queue.push('e0', 0);
    expect(queue.size).toBe(5);
    expect(queue.drain()).toEqual(['b0', 'e0', 'c5', 'd5', 'a9']);
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });

  it('clamps priorities outside 0..9 and treats a non-number as the default', () => {
    const queue = new AdmissionQueue<string>();
    queue.push('late', 42);
    queue.push('default', Number.NaN);
    queue.push('first', -3);
    expect(queue.drain()).toEqual(['first', 'default', 'late']);
  });

  it('takes out a waiting item by identity and skips its place', () => {
    const queue = new AdmissionQueue<{ id: number }>();
    const items = [1, 2, 3].map((id) => ({ id }));
    for (const item of items) queue.push(item);
    expect(queue.remove(items[1]!)).toBe(true);
    expect(queue.remove(items[1]!)).toBe(false);
    expect(queue.size).toBe(2);
    expect(queue.shift()).toBe(items[0]);
    expect(queue.shift()).toBe(items[2]);
    expect(queue.shift()).toBeUndefined();
  });

  it('keeps order through many pushes and shifts (the head moves, storage is reclaimed)', () => {
    const queue = new AdmissionQueue<number>();
    const out: number[] = [];
    for (let i = 0; i < 5000; i += 1) {
      queue.push(i);
      if (i % 3 === 0) out.push(queue.shift() ?? -1);
    }
    out.push(...queue.drain());
    expect(out).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });
});
