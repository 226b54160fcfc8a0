import { describe, expect, it } from 'vitest';
import { cookieValue, createAccessToken, tokenCookie, tokensMatch, TOKEN_COOKIE } from './access-token.js';

describe('access token', () => {
  it('is 256 random bits, URL-safe, never the same twice', () => {
    const token = createAccessToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(token).toMatch(/^[\w-]+$/);
    expect(createAccessToken()).not.toBe(token);
  });

  it('matches only the exact token', () => {
    const token = createAccessToken();
    expect(tokensMatch(token, token)).toBe(true);
    expect(tokensMatch(token, `${token}x`)).toBe(false);
    expect(tokensMatch(token, token.slice(1))).toBe(false);
    expect(tokensMatch(token, '')).toBe(false);
    expect(tokensMatch(token, undefined)).toBe(false);
  });

  it('travels in an HttpOnly SameSite=Strict cookie', () => {
    const cookie = tokenCookie('abc');
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookieValue(`theme=dark; ${TOKEN_COOKIE}=abc; other=1`, TOKEN_COOKIE)).toBe('abc');
    expect(cookieValue('theme=dark', TOKEN_COOKIE)).toBeUndefined();
  });
});
