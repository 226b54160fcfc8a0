import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCliLogger, defaultLogLevel } from './logger.js';

describe('CLI logger', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('logs JSON lines to a file at info by default and never writes secrets', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-log-'));
    dirs.push(dir);
    const file = join(dir, 'nested', 'ferry.log');
    const { logger, level } = createCliLogger({ file });
    expect(level).toBe('info');
    logger.info(
      {
        headers: { authorization: 'Bearer SECRET-1' },
        auth: { token: 'SECRET-2', clientSecret: 'SECRET-3' },
        request: { body: { refresh_token: 'SECRET-4' } },
        code: 'HTTP_UNAUTHORIZED',
      },
      'call failed',
    );
    logger.debug('not at info');
    const text = readFileSync(file, 'utf8');
    const line = JSON.parse(text.trim()) as Record<string, unknown>;
    expect(line['msg']).toBe('call failed');
    expect(line['code']).toBe('HTTP_UNAUTHORIZED');
    expect(text).not.toMatch(/SECRET-\d/);
    expect(text).toContain('[redacted]');
    expect(text).not.toContain('not at info');
  });

  it('defaults to warn on stderr', () => {
    expect(defaultLogLevel(undefined)).toBe('warn');
    expect(defaultLogLevel('/x.log')).toBe('info');
  });
});
