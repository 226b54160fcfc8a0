import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration, formatPercent, formatTable, formatValue, formatWindow } from './format.js';

describe('formatters', () => {
  it('formats counts, durations, percentages and rate windows', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatDuration(340)).toBe('340 ms');
    expect(formatDuration(1_250)).toBe('1.3 s');
    expect(formatDuration(125_000)).toBe('2 min 05 s');
    expect(formatDuration(3_780_000)).toBe('1 h 03 min');
    expect(formatPercent(0.953)).toBe('95%');
    expect(formatPercent(1.4)).toBe('100%');
    expect(formatWindow(10_000)).toBe('10 s');
    expect(formatWindow(60_000)).toBe('minute');
    expect(formatWindow(86_400_000)).toBe('day');
    expect(formatWindow(1_500)).toBe('1500 ms');
  });

  it('shows values as JSON, cut to a width', () => {
    expect(formatValue('a@b.c')).toBe('"a@b.c"');
    expect(formatValue(undefined)).toBe('(absent)');
    expect(formatValue(['x', 1])).toBe('["x",1]');
    expect(formatValue('x'.repeat(100), 10)).toHaveLength(10);
  });

  it('aligns columns without trailing blanks', () => {
    const lines = formatTable(['A', 'LONGER'], [['wide cell', 'x'], ['b', '']]);
    expect(lines).toEqual(['  A          LONGER', '  wide cell  x', '  b']);
  });
});
