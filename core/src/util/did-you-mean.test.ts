import { describe, expect, it } from 'vitest';
import { didYouMean, didYouMeanSuffix } from './did-you-mean.js';

describe('didYouMean', () => {
  it('suggests the near name', () => {
    expect(didYouMean('contact', ['tags', 'contacts', 'notes'])).toBe('contacts');
    expect(didYouMeanSuffix('contact', ['contacts'])).toBe(" — did you mean 'contacts'?");
  });
  it('stays quiet when nothing is close', () => {
    expect(didYouMean('x', ['tags', 'contacts'])).toBeUndefined();
    expect(didYouMeanSuffix('zzzzzz', ['contacts'])).toBe('');
    expect(didYouMean('a', [])).toBeUndefined();
  });
});
