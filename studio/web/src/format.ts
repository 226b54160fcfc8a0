/** A value as one short line: text quoted, lists and objects as compact JSON, long values cut. */
export function formatValue(value: unknown, max = 60): string {
  if (value === undefined) return '—';
  const text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The value at a field-map path of a sample record, for showing beside the field (`tags[].label` maps over lists). */
export function valueAtPath(record: unknown, path: string): unknown {
  const parts = path.match(/"(?:[^"\\]|\\.)*"|\[\]|\[-?\d+\]|[^.[\]]+/g) ?? [];
  let values: unknown[] = [record];
  for (const raw of parts) {
    const next: unknown[] = [];
    for (const value of values) {
      if (raw === '[]') {
        if (Array.isArray(value)) next.push(...(value as unknown[]));
      } else if (raw.startsWith('[')) {
        const index = Number(raw.slice(1, -1));
        if (Array.isArray(value)) next.push(value[index < 0 ? value.length + index : index]);
      } else {
        const key = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
        if (value !== null && typeof value === 'object' && Object.hasOwn(value, key)) next.push((value as Record<string, unknown>)[key]);
      }
    }
    values = next;
  }
  return path.includes('[]') ? values : values[0];
}
