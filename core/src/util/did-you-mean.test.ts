import { describe, expect, it } from 'vitest';
import { didYouMean, didYouMeanSuffix } from './did-you-mean.js';

describe('didYouMean', () => {
  it('suggests the near name', () => {
    expect(didYouMean('contact', ['tags', 'contacts', 'notes'])).toBe('contacts');
    expect(didYouMeanSuffix('contact', ['contacts'])).toBe(" — did you mean 'contacts'?");
  });
  it('counts swapped letters as one edit', () => {
    expect(didYouMean('wehre', ['where', 'map', 'then'])).toBe('where');
    expect(didYouMean('emial', ['email', 'phone'])).toBe('email');
    expect(didYouMean('cmr', ['crm', 'chat'])).toBe('crm');
  });
  it('stays quiet when nothing is close', () => {
    expect(didYouMean('x', ['tags', 'contacts'])).toBeUndefined();
    expect(didYouMeanSuffix('zzzzzz', ['contacts'])).toBe('');
    expect(didYouMean('a', [])).toBeUndefined();
  });
});
