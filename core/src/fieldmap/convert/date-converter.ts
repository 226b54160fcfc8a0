import { DateTime, IANAZone } from 'luxon';
import { didYouMean } from '../../util/did-you-mean.js';
import { ConvertFailure, describeValue, fieldMapInvalid } from '../fieldmap-errors.js';
import type { ConvertContext, ConverterDefinition, ConvertStep } from './convert-types.js';
import { translateDatePattern } from './date-pattern.js';
import { describeType } from './text-converters.js';

/** Month names in patterns are English whatever the machine's locale, so a run gives the same output anywhere. */
const LOCALE = 'en-US';

/** Below this an epoch number is read as seconds, above as milliseconds (1e11 s is the year 5138; 1e11 ms is 1973). */
const SECONDS_LIMIT = 1e11;

const OUTPUT_KEYWORDS = ['iso', 'date', 'epoch-ms', 'epoch-s'] as const;
const INPUT_KEYWORDS = ['auto', 'iso', 'epoch-ms', 'epoch-s'] as const;
type OutputKeyword = (typeof OUTPUT_KEYWORDS)[number];
type InputKeyword = (typeof INPUT_KEYWORDS)[number];

type Reader = (value: unknown) => DateTime;
type Writer = (moment: DateTime) => string | number;

const DATE_HINT = 'write { date: { tz: America/New_York, inputFormat: "MM/DD/YYYY HH:mm", format: date } }; formats: iso, date, epoch-ms, epoch-s or a pattern of YYYY MM DD HH mm ss SSS';

function keywordOrPattern<K extends string>(raw: unknown, keywords: readonly K[], option: string, context: ConvertContext): K | { pattern: string } {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw fieldMapInvalid(context.field, `date option '${option}' must be text, got ${describeType(raw)}`, DATE_HINT);
  }
  const keyword = keywords.find((candidate) => candidate === raw);
  if (keyword !== undefined) return keyword;
  const translated = translateDatePattern(raw);
  if (translated.hasLongToken) return { pattern: translated.luxon };
  const guess = didYouMean(raw, keywords);
  throw fieldMapInvalid(
    context.field,
    `date ${option} '${raw}' is neither one of ${keywords.join(', ')} nor a pattern${guess === undefined ? '' : ` — did you mean '${guess}'?`}`,
    DATE_HINT,
  );
}

function epoch(value: number, unit: 'auto' | 'ms' | 's'): DateTime {
  const ms = unit === 'ms' || (unit === 'auto' && Math.abs(value) >= SECONDS_LIMIT) ? value : value * 1000;
  return DateTime.fromMillis(ms, { zone: 'UTC' });
}

const EPOCH_TEXT = /^[+-]?\d{9,}(?:\.\d+)?$/;

function makeReader(input: InputKeyword | { pattern: string }, zone: string): Reader {
  if (typeof input === 'object') {
    const { pattern } = input;
    return (value) => DateTime.fromFormat(textOf(value), pattern, { zone, locale: LOCALE });
  }
  if (input === 'epoch-ms' || input === 'epoch-s') {
    const unit = input === 'epoch-ms' ? 'ms' : 's';
    return (value) => epoch(numberOf(value), unit);
  }
  if (input === 'iso') return (value) => DateTime.fromISO(textOf(value), { zone });
  return (value) => {
    if (typeof value === 'number') return epoch(value, 'auto');
    const text = textOf(value);
    if (EPOCH_TEXT.test(text)) return epoch(Number(text), 'auto');
    const iso = DateTime.fromISO(text, { zone });
    // `2024-01-02 03:04:05` (a space instead of the T) is what spreadsheets and SQL write.
    return iso.isValid ? iso : DateTime.fromSQL(text, { zone });
  };
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  throw new ConvertFailure(value, `not a date (got ${describeType(value)})`, 'map the field that holds the date');
}

function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^[+-]?\d+(?:\.\d+)?$/.test(value.trim())) return Number(value.trim());
  throw new ConvertFailure(value, 'not an epoch timestamp', 'the input format says epoch: the value must be a number of seconds or milliseconds');
}

function makeWriter(output: OutputKeyword | { pattern: string }, zone: string): Writer {
  if (typeof output === 'object') {
    const { pattern } = output;
    return (moment) => moment.setZone(zone).toFormat(pattern, { locale: LOCALE });
  }
  switch (output) {
    case 'date':
      return (moment) => moment.setZone(zone).toISODate() ?? '';
    case 'epoch-ms':
      return (moment) => moment.toMillis();
    case 'epoch-s':
      return (moment) => Math.floor(moment.toMillis() / 1000);
    case 'iso':
      return (moment) => moment.toUTC().toISO() ?? '';
  }
}

interface DateOptions {
  tz?: unknown;
  format?: unknown;
  inputFormat?: unknown;
}

function readOptions(options: unknown, context: ConvertContext): DateOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw fieldMapInvalid(context.field, 'the date convert takes { date: { tz, format, inputFormat } }', DATE_HINT);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'tz' && key !== 'format' && key !== 'inputFormat') {
      const guess = didYouMean(key, ['tz', 'format', 'inputFormat']);
      throw fieldMapInvalid(context.field, `unknown date option '${key}'${guess === undefined ? '' : ` — did you mean '${guess}'?`}`, DATE_HINT);
    }
  }
  return options;
}

function zoneOf(raw: unknown, context: ConvertContext): string {
  if (raw === undefined) return 'UTC';
  if (typeof raw === 'string' && (raw.toUpperCase() === 'UTC' || IANAZone.isValidZone(raw))) return raw;
  throw fieldMapInvalid(context.field, `'${describeValue(raw)}' is not an IANA time zone`, 'use a zone name such as UTC, America/New_York or Europe/Berlin');
}

export const date: ConverterDefinition = {
  info: {
    name: 'date',
    description:
      'Reads a date-time — ISO 8601, epoch seconds or milliseconds, "YYYY-MM-DD HH:mm:ss", or an inputFormat pattern — and writes ISO 8601 in UTC (default), a date (YYYY-MM-DD), epoch-ms, epoch-s or a pattern. Text without an offset is read in tz (default UTC); date and pattern output is written in tz.',
    input: 'string | number',
    output: 'string | number',
    options: '{ date: { tz: America/New_York, inputFormat: "MM/DD/YYYY HH:mm", format: date } }',
    examples: [
      { convert: 'date', input: '2024-03-05 14:30:00', output: '2024-03-05T14:30:00.000Z' },
      { convert: 'date', input: 1709649000, output: '2024-03-05T14:30:00.000Z' },
      { convert: { date: { tz: 'America/New_York' } }, input: '2024-03-05 09:30:00', output: '2024-03-05T14:30:00.000Z' },
      { convert: { date: { inputFormat: 'MM/DD/YYYY', format: 'date' } }, input: '03/05/2024', output: '2024-03-05' },
      { convert: { date: { format: 'epoch-ms' } }, input: '2024-03-05T14:30:00Z', output: 1709649000000 },
    ],
  },
  arrays: 'each',
  optionKey: 'date',
  create(options, context): ConvertStep {
    const { tz, format, inputFormat } = readOptions(options, context);
    const zone = zoneOf(tz, context);
    const read = makeReader(inputFormat === undefined ? 'auto' : keywordOrPattern(inputFormat, INPUT_KEYWORDS, 'inputFormat', context), zone);
    const write = makeWriter(format === undefined ? 'iso' : keywordOrPattern(format, OUTPUT_KEYWORDS, 'format', context), zone);
    return (value) => {
      const moment = read(value);
      if (!moment.isValid) {
        throw new ConvertFailure(value, 'not a date', 'dates are read as ISO 8601, epoch numbers or "YYYY-MM-DD HH:mm:ss"; set { date: { inputFormat: "..." } } for other layouts');
      }
      return write(moment);
    };
  },
};
