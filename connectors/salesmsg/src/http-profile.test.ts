import { describe, expect, it } from 'vitest';
import { isAuthFailure } from './http-profile.js';

describe('isAuthFailure', () => {
  it('reads auth failures from the status, auth_required and the message', () => {
    expect(isAuthFailure(401, undefined)).toBe(true);
    expect(isAuthFailure(403, { message: 'Your access token has been revoked.', auth_required: true })).toBe(true);
    expect(isAuthFailure(500, { message: 'Token has expired' })).toBe(true);
    expect(isAuthFailure(500, { message: 'Unauthenticated.' })).toBe(true);
    expect(isAuthFailure(403, { message: 'Invalid token' })).toBe(true);
  });

  it('leaves other failures alone: scopes, permissions, server errors, successes', () => {
    expect(isAuthFailure(403, { message: 'Invalid scope(s) provided.' })).toBe(false);
    expect(isAuthFailure(403, { message: 'This action is unauthorized.' })).toBe(false);
    expect(isAuthFailure(500, { message: 'Server Error' })).toBe(false);
    expect(isAuthFailure(500, 'Token has expired')).toBe(false);
    expect(isAuthFailure(200, { auth_required: true })).toBe(false);
  });
});
