import { describe, expect, it } from 'vitest';
import { FerryError } from '@ferry/core';
import { formatError } from './report-error.js';

describe('error report', () => {
  it('prints a FerryError as error and hint lines', () => {
    const lines = formatError(new FerryError('AUTH_REVOKED', 'the refresh token was revoked', { hint: 'run `ferry auth ghl`' }), {
      logFile: undefined,
      stackLogged: false,
    });
    expect(lines).toEqual(['error: the refresh token was revoked', 'hint: run `ferry auth ghl`']);
  });

  it('prints an unexpected error in one line with where the log is, never a stack', () => {
    const error = new TypeError("Cannot read properties of undefined (reading 'id')\n    at x (file.ts:1:1)");
    const toFile = formatError(error, { logFile: '/p/.ferry/ferry.log', stackLogged: false });
    expect(toFile).toEqual([
      "error: unexpected failure: TypeError: Cannot read properties of undefined (reading 'id')",
      'hint: the log has the details: /p/.ferry/ferry.log',
    ]);
    const toStderr = formatError(error, { logFile: undefined, stackLogged: false });
    expect(toStderr[1]).toContain('--log-level debug');
    expect(toStderr.join('\n')).not.toContain('at x');
    expect(formatError('plain', { logFile: undefined, stackLogged: true })[0]).toBe('error: unexpected failure: plain');
  });
});
