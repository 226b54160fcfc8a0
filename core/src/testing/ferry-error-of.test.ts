import { describe, expect, it } from 'vitest';
import { FerryError } from '../errors/ferry-error.js';
import { ferryErrorOf } from './ferry-error-of.js';

const refused = (): FerryError => new FerryError('SOME_CODE', 'refused', { hint: 'do the other thing' });

describe('ferryErrorOf', () => {
  it('returns the FerryError of a rejected promise, a throwing function and a rejecting function', async () => {
    expect((await ferryErrorOf(Promise.reject(refused()))).code).toBe('SOME_CODE');
    expect((await ferryErrorOf(() => { throw refused(); }, 'SOME_CODE')).hint).toBe('do the other thing');
    expect((await ferryErrorOf(async () => Promise.reject(refused()))).message).toBe('refused');
  });

  it('fails the test when the work succeeds, fails with another error, or with another code', async () => {
    await expect(ferryErrorOf(Promise.resolve(1))).rejects.toThrow(/succeeded/);
    await expect(ferryErrorOf(() => { throw new Error('plain'); })).rejects.toThrow(/FerryError/);
    await expect(ferryErrorOf(Promise.reject(refused()), 'OTHER_CODE')).rejects.toThrow(/OTHER_CODE/);
  });
});
