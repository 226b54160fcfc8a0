import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import { isConfigError, isFerryError, type ConfigError } from '@ferry/core';
import type { Problem } from '../shared/api-types.js';

/** Line of each `map:` entry's key in a pipeline text, so a problem on that line names the entry. */
function mapEntryLines(text: string): Map<number, string> {
  const lines = new Map<number, string>();
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  const map = isMap(doc.contents) ? doc.contents.get('map', true) : undefined;
  if (!isMap(map)) return lines;
  for (const pair of map.items) {
    const key = pair.key;
    if (!isScalar(key) || key.range === undefined || key.range === null) continue;
    const start = counter.linePos(key.range[0]).line;
    const valueRange = isScalar(pair.value) || isMap(pair.value) ? pair.value.range : undefined;
    const end = valueRange === undefined || valueRange === null ? start : counter.linePos(valueRange[1]).line;
    for (let line = start; line <= end; line++) lines.set(line, String(key.value));
  }
  return lines;
}

function fromConfigError(error: ConfigError, entries: Map<number, string>, file: string | undefined): Problem {
  const detailField = error.details['field'];
  const sameFile = file === undefined || error.file === file;
  const field = typeof detailField === 'string' ? detailField : sameFile ? entries.get(error.line) : undefined;
  return {
    code: error.code,
    message: sameFile ? error.reason : error.message,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    ...(sameFile ? { line: error.line, column: error.column } : {}),
    ...(field === undefined ? {} : { field }),
  };
}

/** Any error as the problems the studio lists: every problem of a ConfigError with its position and entry. */
export function problemsOf(error: unknown, text?: string, file?: string): Problem[] {
  if (isConfigError(error)) {
    const entries = text === undefined ? new Map<number, string>() : mapEntryLines(text);
    return [error, ...error.others].map((problem) => fromConfigError(problem, entries, file));
  }
  if (isFerryError(error)) {
    const field = error.details['field'];
    return [{ code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }), ...(typeof field === 'string' ? { field } : {}) }];
  }
  return [{ code: 'UNEXPECTED', message: error instanceof Error ? error.message : String(error) }];
}
