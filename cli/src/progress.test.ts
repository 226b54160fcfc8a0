import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressDisplay, describeProgress, progressMode } from './progress.js';

function capture(isTTY: boolean): { stream: PassThrough & { isTTY?: boolean; columns?: number }; text: () => string } {
  const stream: PassThrough & { isTTY?: boolean; columns?: number } = new PassThrough();
  stream.isTTY = isTTY;
  stream.columns = 160;
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
}

describe('progress', () => {
  it('picks a bar on a terminal, lines elsewhere, nothing when turned off', () => {
    expect(progressMode({ enabled: true, isTTY: true })).toBe('bar');
    expect(progressMode({ enabled: true, isTTY: false })).toBe('lines');
    expect(progressMode({ enabled: false, isTTY: true })).toBe('off');
  });

  it('prints plain lines at most once per interval', () => {
    const out = capture(false);
    let now = 0;
    const display = createProgressDisplay({ label: 'p', mode: 'lines', stream: out.stream, intervalMs: 5_000, now: () => now });
    const p = { read: 10, written: 9, deadLettered: 0, recordsPerSecond: 100 };
    for (now = 0; now <= 12_000; now += 500) display.update({ ...p, read: now });
    display.stop();
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('p: 5,000 read · 9 written · 100 records/s · 5.0 s');
    expect(lines[1]).toContain('p: 10,000 read');
  });

  it('describes done/total when the source knows its total', () => {
    expect(describeProgress('p', { read: 50, written: 40, deadLettered: 2, total: 200, recordsPerSecond: 10 }, 1_000)).toBe(
      'p: 50/200 read · 40 written · 2 dead-lettered · 10 records/s · 1.0 s',
    );
  });

  it('draws a bar with done/total on a terminal and clears it at the end', () => {
    const out = capture(true);
    const display = createProgressDisplay({ label: 'sync', mode: 'bar', stream: out.stream });
    display.update({ read: 0, written: 0, deadLettered: 0, recordsPerSecond: 0 });
    display.update({ read: 50, written: 50, deadLettered: 0, total: 100, recordsPerSecond: 25 });
    display.stop();
    display.stop();
    expect(out.text()).toContain('sync');
    expect(out.text()).toMatch(/50%|50\/100/);
  });

  it('writes nothing when off', () => {
    const out = capture(false);
    const display = createProgressDisplay({ label: 'p', mode: 'off', stream: out.stream });
    display.update({ read: 1, written: 1, deadLettered: 0, recordsPerSecond: 1 });
    display.stop();
    expect(out.text()).toBe('');
  });
});
