import { describe, expect, it } from 'vitest';
import { listIds } from './list-ids.js';

describe('listIds', () => {
  it('lists up to twenty ids, then counts them all', () => {
    expect(listIds([])).toBe('');
    expect(listIds(['a', 'b'])).toBe('a, b');
    const many = Array.from({ length: 25 }, (_, i) => `loc${i}`);
    expect(listIds(many)).toBe(`${many.slice(0, 20).join(', ')}, … (25 in all)`);
  });
});
