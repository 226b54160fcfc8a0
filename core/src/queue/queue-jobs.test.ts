import { describe, expect, it } from 'vitest';
import { parseInboxJob, parseRunJob, parseTickJob } from './queue-jobs.js';
import { inboxJobId, runDeduplicationId, runRequestJobId, tickSchedulerId } from './queue-names.js';

describe('queue payloads', () => {
  it('reads the payloads ferry writes', () => {
    expect(parseRunJob({ v: 1, pipeline: 'p', partition: '', trigger: 'schedule' })).toEqual({ v: 1, pipeline: 'p', partition: '', trigger: 'schedule' });
    expect(parseRunJob({ v: 1, pipeline: 'p', partition: 'loc-1', trigger: 'request', extra: true })).toEqual({ v: 1, pipeline: 'p', partition: 'loc-1', trigger: 'request' });
    expect(parseTickJob({ v: 1, pipeline: 'p' })).toEqual({ v: 1, pipeline: 'p' });
    expect(parseInboxJob({ v: 1, connection: 'ghl' })).toEqual({ v: 1, connection: 'ghl' });
  });

  it('refuses what ferry did not write, saying what is wrong', () => {
    for (const data of [null, 'run', [], {}, { v: 1 }, { v: 1, pipeline: '', partition: '', trigger: 'schedule' }, { v: 1, pipeline: 'p', partition: 3, trigger: 'schedule' }, { v: 1, pipeline: 'p', partition: '', trigger: 'cron' }]) {
      expect(() => parseRunJob(data)).toThrow(expect.objectContaining({ code: 'QUEUE_JOB_INVALID', hint: expect.any(String) as string }) as Error);
    }
    expect(() => parseInboxJob({ v: 1 })).toThrow(expect.objectContaining({ code: 'QUEUE_JOB_INVALID' }) as Error);
  });

  it('tells a newer payload apart: the worker needs an upgrade', () => {
    expect(() => parseTickJob({ v: 2, pipeline: 'p' })).toThrow(expect.objectContaining({ code: 'QUEUE_JOB_VERSION', hint: expect.stringContaining('upgrade') as string }) as Error);
  });

  it('makes job ids BullMQ accepts (three parts at most): one coalescing id per unit, one job id per request', () => {
    expect(runDeduplicationId({ pipeline: 'p', partition: '' })).toBe('run:p:');
    expect(runDeduplicationId({ pipeline: 'p', partition: 'a:b' })).toBe('run:p:a%3Ab');
    expect(runDeduplicationId({ pipeline: 'p', partition: 'a' })).not.toBe(runDeduplicationId({ pipeline: 'p', partition: 'b' }));
    expect(runRequestJobId({ pipeline: 'p', partition: 'a:b' }, 'r1')).toBe('run:p:a%3Ab@r1');
    // A partition holding '@' cannot pass for another unit's request.
    expect(runRequestJobId({ pipeline: 'p', partition: 'a@b' }, 'c')).not.toBe(runRequestJobId({ pipeline: 'p', partition: 'a' }, 'b@c'));
    expect(runRequestJobId({ pipeline: 'p:q', partition: 'a:b' }, 'x:y').split(':')).toHaveLength(3);
    expect(inboxJobId('ghl').split(':')).toHaveLength(3);
    expect(tickSchedulerId('p', 0)).not.toContain(':');
  });
});
