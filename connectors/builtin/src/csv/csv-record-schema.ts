import type { JsonSchema } from '@ferry/core';
import type { CsvColumnType, CsvSettings } from './csv-settings.js';

function columnSchema(type: CsvColumnType): JsonSchema {
  return type === 'string' ? { type: 'string' } : { type: [type, 'null'] };
}

/** A row's JSON Schema: the typed columns as configured, every other column a string. */
export function csvRecordSchema(settings: Pick<CsvSettings, 'columns' | 'header'>): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const column of settings.header ?? []) properties[column] = { type: 'string' };
  for (const [column, type] of Object.entries(settings.columns)) properties[column] = columnSchema(type);
  return {
    type: 'object',
    description: 'One row of the file, keyed by column name.',
    ...(Object.keys(properties).length === 0 ? {} : { properties }),
    additionalProperties: { type: 'string' },
  };
}
