import { types } from 'pg';
import type { CustomTypesConfig } from 'pg';

const INT8 = 20;
const BYTEA = 17;
const DATE = 1082;
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;

const keepText = (value: string): string => value;

/** bigint as a number when it is exact in JavaScript, else as its digits (never a silently rounded number). */
function parseInt8(value: string): number | string {
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value;
}

/** An instant as ISO 8601 in UTC; the infinities PostgreSQL allows stay as the text it sent. */
function parseTimestamptz(value: string): string {
  const date = new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

/**
 * Type parsers of the warehouse's connections, so rows read back are plain JSON: bigint as a number, dates and
 * timestamps as text rather than Date objects in the machine's time zone, bytea as its hex text. Other types
 * (jsonb parsed, boolean, double precision, numeric as exact text) keep the driver's parsers.
 */
export const warehouseTypeParsers: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === undefined || format === 'text') {
      switch (oid) {
        case INT8:
          return parseInt8;
        case TIMESTAMPTZ:
          return parseTimestamptz;
        case DATE:
        case TIMESTAMP:
        case BYTEA:
          return keepText;
      }
    }
    return format === undefined ? types.getTypeParser(oid) : types.getTypeParser(oid, format);
  }) as CustomTypesConfig['getTypeParser'],
};
