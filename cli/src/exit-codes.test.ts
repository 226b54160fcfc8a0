import { describe, expect, it } from 'vitest';
import { FerryError } from '@ferry/core';
import { ExitCode, exitCodeForError, exitCodeForStatus, worstExitCode } from './exit-codes.js';

describe('exit codes', () => {
  it('maps run statuses', () => {
    expect(exitCodeForStatus('succeeded')).toBe(0);
    expect(exitCodeForStatus('partial')).toBe(1);
    expect(exitCodeForStatus('failed')).toBe(3);
    expect(exitCodeForStatus('stopped')).toBe(130);
  });

  it('maps configuration and usage errors to 2, systemic and unexpected ones to 3', () => {
    expect(exitCodeForError(new FerryError('CONFIG_UNKNOWN_STREAM', 'x'))).toBe(ExitCode.usage);
    expect(exitCodeForError(new FerryError('PIPELINE_NOT_FOUND', 'x'))).toBe(ExitCode.usage);
    expect(exitCodeForError(new FerryError('PROJECT_NOT_FOUND', 'x'))).toBe(ExitCode.usage);
    expect(exitCodeForError(new FerryError('AUTH_REVOKED', 'x'))).toBe(ExitCode.failed);
    expect(exitCodeForError(new FerryError('STORE_DISK_FULL', 'x'))).toBe(ExitCode.failed);
    expect(exitCodeForError(new TypeError('boom'))).toBe(ExitCode.failed);
  });

  it('lets the worst outcome of several pipelines decide', () => {
    expect(worstExitCode([])).toBe(0);
    expect(worstExitCode([0, 1, 0])).toBe(1);
    expect(worstExitCode([1, 3, 0])).toBe(3);
    expect(worstExitCode([3, 130, 1])).toBe(130);
  });
});
