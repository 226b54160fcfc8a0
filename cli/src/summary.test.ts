import { describe, expect, it } from 'vitest';
import { formatRunReport } from './summary.js';
import { EMPTY_SUMMARY } from './run-report.js';

describe('run summary', () => {
  const summary = {
    ...EMPTY_SUMMARY,
    read: 12_000,
    created: 11_000,
    updated: 500,
    unchanged: 300,
    skipped: 180,
    deadLettered: 20,
    apiCalls: 11_900,
    rateLimited: 3,
    retries: 5,
    utilization: 0.96,
    durationMs: 120_000,
  };

  it('prints every count the run produced, API usage and timing', () => {
    const text = formatRunReport({ pipeline: 'leads', runId: 7, status: 'partial', summary }).join('\n');
    expect(text).toContain('leads: partial — run #7');
    for (const part of ['read 12,000', 'created 11,000', 'updated 500', 'unchanged 300', 'skipped 180', 'dead-lettered 20']) {
      expect(text).toContain(part);
    }
    expect(text).toContain('calls 11,900 · 429s 3 · retries 5 · rate-limit utilization 96%');
    expect(text).toContain('2 min 00 s (100 records/s)');
    expect(text).toContain('ferry dlq list leads');
    expect(text).not.toContain('deleted');
  });

  it('explains failures and stops', () => {
    const failed = formatRunReport({
      pipeline: 'leads',
      runId: 8,
      status: 'failed',
      summary: EMPTY_SUMMARY,
      error: { code: 'AUTH_REVOKED', message: 'the token was revoked', hint: 'run `ferry auth ghl`' },
    });
    expect(failed).toContain('  error: the token was revoked');
    expect(failed).toContain('  hint: run `ferry auth ghl`');
    const stopped = formatRunReport({ pipeline: 'leads', runId: 9, status: 'stopped', summary: EMPTY_SUMMARY }).join('\n');
    expect(stopped).toContain('run the same command again to resume');
    const dry = formatRunReport({ pipeline: 'leads', runId: undefined, status: 'succeeded', summary: EMPTY_SUMMARY, dryRun: true });
    expect(dry[0]).toBe('leads: succeeded (dry run: nothing was written)');
  });
});
