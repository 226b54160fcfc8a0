import { describe, expect, it } from 'vitest';
import { redactPath, redactSecrets, truncate } from './redact.js';

describe('redactPath', () => {
  it('replaces secret query values and keeps the rest', () => {
    expect(redactPath('/oauth/cb?code=abc123&state=s1&access_token=tok&Client_Secret=x&limit=5')).toBe(
      '/oauth/cb?code=***&state=s1&access_token=***&Client_Secret=***&limit=5',
    );
    expect(redactPath('/contacts?limit=5')).toBe('/contacts?limit=5');
    expect(redactPath('/contacts')).toBe('/contacts');
  });
});

describe('redactSecrets', () => {
  it('scrubs bearer tokens, secret JSON fields and known secrets', () => {
    const text = 'auth was Bearer eyJhbGciOi.abc-def and {"access_token":"at-123","refresh_token": "rt-456","name":"x"} plus pit-secret-value';
    const redacted = redactSecrets(text, ['pit-secret-value']);
    expect(redacted).toBe('auth was Bearer *** and {"access_token":"***","refresh_token":"***","name":"x"} plus ***');
    expect(redactSecrets('short ab', ['ab'])).toBe('short ab');
  });
});

describe('truncate', () => {
  it('cuts long text and says how much is left out', () => {
    expect(truncate('abcdef', 3)).toBe('abc… (3 more characters)');
    expect(truncate('abc', 3)).toBe('abc');
  });
});
