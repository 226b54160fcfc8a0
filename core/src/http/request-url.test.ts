import { describe, expect, it } from 'vitest';
import { buildRequestUrl } from './request-url.js';

describe('buildRequestUrl', () => {
  it('keeps the base URL path prefix and repeats array keys', () => {
    const url = buildRequestUrl('https://api.example.com/pub/v2.3/', '/contacts', { tag: ['a', 'b'], limit: 10, skip: undefined, dnd: false });
    expect(url.toString()).toBe('https://api.example.com/pub/v2.3/contacts?tag=a&tag=b&limit=10&dnd=false');
  });

  it('joins a path without a leading slash and keeps a query already in the path', () => {
    expect(buildRequestUrl('https://x.test', 'contacts/1?a=1', { b: 'c d' }).toString()).toBe('https://x.test/contacts/1?a=1&b=c+d');
  });

  it('accepts an absolute URL on the same origin only, so a token never leaves the API host', () => {
    expect(buildRequestUrl('https://x.test/v1', 'https://x.test/next?page=2').toString()).toBe('https://x.test/next?page=2');
    expect(() => buildRequestUrl('https://x.test', 'https://evil.test/steal')).toThrow(/not the connection's API origin/);
  });
});
