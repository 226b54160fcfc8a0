import type { Random } from '@ferry/core';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 20-character ids like the API's (`ocQHyuzHvysMo5N5VsXc`), drawn from the sandbox's seeded source. */
export function createIdFactory(random: Random): () => string {
  const used = new Set<string>();
  return () => {
    for (;;) {
      let id = '';
      for (let i = 0; i < 20; i += 1) id += ALPHABET[Math.floor(random() * ALPHABET.length)] ?? 'x';
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
}

/** Picks one element; the list must not be empty. */
export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}
