import { DEFAULT_PAGE_SIZE, pageSizeSetting } from '../shared/page-size.js';
import { optionalPositiveInteger, optionalString, requiredString } from '../shared/settings.js';

export interface JsonlSettings {
  readonly path: string;
  readonly primaryKey: string;
  readonly cursorField: string;
  readonly pageSize: number;
}

export const jsonlConfigSchema = {
  type: 'object',
  title: 'JSON Lines file',
  description: 'A file with one JSON object per line, read as the `records` stream and written by `append`.',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: {
      type: 'string',
      minLength: 1,
      description: 'Path of the .jsonl file; relative paths resolve against the directory of ferry.yaml.',
    },
    primaryKey: {
      type: 'string',
      minLength: 1,
      default: 'id',
      description: 'Field that identifies a record; every line must have it (a string or a number).',
    },
    cursorField: {
      type: 'string',
      minLength: 1,
      description:
        'Field that grows as lines are appended (default: primaryKey). Informational: the checkpoint is the byte offset after the last line read.',
    },
    pageSize: pageSizeSetting,
  },
} as const;

/** The settings that shape the stream (its key and cursor), readable without the rest. */
export function readJsonlKeys(config: Readonly<Record<string, unknown>>): Pick<JsonlSettings, 'primaryKey' | 'cursorField'> {
  const primaryKey = optionalString(config, 'jsonl', 'primaryKey') ?? 'id';
  return { primaryKey, cursorField: optionalString(config, 'jsonl', 'cursorField') ?? primaryKey };
}

export function readJsonlSettings(config: Readonly<Record<string, unknown>>): JsonlSettings {
  return {
    path: requiredString(config, 'jsonl', 'path'),
    ...readJsonlKeys(config),
    pageSize: optionalPositiveInteger(config, 'jsonl', 'pageSize') ?? DEFAULT_PAGE_SIZE,
  };
}
