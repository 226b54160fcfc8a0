/** Small, locale-stable formatters shared by every command's text output. */

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1_000);
  const hours = Math.floor(totalSeconds / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${Math.round(Math.min(Math.max(fraction, 0), 1) * 100)}%`;
}

/** "10 s", "minute", "day": the span of a rate window, as in "100 per 10 s". */
export function formatWindow(perMs: number): string {
  const units: readonly [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1_000, 's'],
  ];
  for (const [size, name] of units) {
    if (perMs % size === 0) {
      const n = perMs / size;
      if (name === 's') return `${n} s`;
      return n === 1 ? name : `${n} ${name}s`;
    }
  }
  return `${perMs} ms`;
}

/** A value in a diff or a table cell: JSON, cut to `max` characters. */
export function formatValue(value: unknown, max = 60): string {
  if (value === undefined) return '(absent)';
  const text = (JSON.stringify(value) as string | undefined) ?? `(${typeof value})`;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Left-aligned columns; the last column is not padded so lines carry no trailing blanks. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    indent +
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}
