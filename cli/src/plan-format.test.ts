import { describe, expect, it } from 'vitest';
import { formatPlanEntry, formatPlanTotals, formatSkipped } from './plan-format.js';
import { EMPTY_SUMMARY } from './run-report.js';

describe('plan output', () => {
  it('shows each changed field of an update as before → after', () => {
    expect(
      formatPlanEntry({
        sourceId: 'c-1',
        outcome: 'update',
        targetId: 't-9',
        diff: [
          { field: 'email', before: 'A@x.com', after: 'a@x.com' },
          { field: 'tags', before: undefined, after: ['vip'] },
        ],
      }),
    ).toEqual(['  ~ update    c-1 → t-9', '      email: "A@x.com" → "a@x.com"', '      tags: ["vip"]']);
  });

  it('says why a record would fail', () => {
    expect(
      formatPlanEntry({ sourceId: 'c-2', outcome: 'error', diff: [], error: { code: 'MAP_FAILED', message: "field 'phone': not a phone number", hint: 'fix it' } }),
    ).toEqual(['  ! fail      c-2', "      MAP_FAILED: field 'phone': not a phone number", '      hint: fix it']);
  });

  it('folds skipped records into one line and totals the plan', () => {
    expect(formatSkipped(['a', 'b'])).toBe('  - skip       2 filtered out by where: a, b');
    expect(formatSkipped(Array.from({ length: 20 }, (_, i) => `r${i}`), 3)).toBe(
      '  - skip       20 filtered out by where: r0, r1, r2, … (+17 more; --all lists them)',
    );
    expect(formatPlanTotals({ ...EMPTY_SUMMARY, read: 10 }, { create: 5, update: 2, unchanged: 1, skip: 1, error: 1 })).toBe(
      '10 read · 5 to create · 2 to update · 1 unchanged · 1 skipped · 1 would fail — nothing was written',
    );
  });
});
