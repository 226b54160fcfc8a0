import { describe, expect, it } from 'vitest';
import { FerryError, isFerryError } from './ferry-error.js';

describe('FerryError', () => {
  it('keeps its literal code, hint and details', () => {
    const error = new FerryError('CONFIG_SYNTAX', 'bad yaml', { hint: 'fix it', details: { line: 3 } });
    expect(error.code).toBe('CONFIG_SYNTAX');
    expect(error.describe()).toBe('bad yaml\n  hint: fix it');
    expect(error.toJSON()).toEqual({ code: 'CONFIG_SYNTAX', message: 'bad yaml', hint: 'fix it', line: 3 });
    expect(isFerryError(error)).toBe(true);
    expect(isFerryError(new Error('x'))).toBe(false);
  });
});
