import type { ConverterView, ConvertStep, FieldType, FieldView, MapEntry } from './api-types.js';

/**
 * Whether a mapping's value fits its destination field: the source field's JSON types, carried through the
 * convert chain (element-wise over lists, except converts that take a list whole), against the target's types.
 */

/** The values a field may hold: scalar (and object) types, and element types when it may be a list. */
export interface ValueShape {
  readonly scalars: ReadonlySet<FieldType>;
  readonly items: ReadonlySet<FieldType> | undefined;
}

export type Verdict =
  | { readonly level: 'ok'; readonly suggest?: string; readonly message?: string }
  | { readonly level: 'warning' | 'mismatch'; readonly message: string; readonly suggest?: string };

const ANY: ValueShape = { scalars: new Set(['any']), items: new Set(['any']) };

function words(text: string): FieldType[] {
  return text
    .split('|')
    .map((word) => word.trim())
    .filter((word): word is FieldType => ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null', 'any'].includes(word));
}

/** Parses a catalogue type text: `string | number`, `string[]`, `(string | number | boolean)[]`, `string | string[]`. */
export function parseTypeText(text: string): ValueShape {
  const scalars = new Set<FieldType>();
  let items: Set<FieldType> | undefined;
  const grouped = /^\((.*)\)\[\]$/.exec(text.trim());
  if (grouped !== null) return { scalars, items: new Set(words(grouped[1] ?? '')) };
  for (const part of text.split('|').map((word) => word.trim())) {
    if (part.endsWith('[]')) {
      items ??= new Set();
      for (const type of words(part.slice(0, -2))) items.add(type);
    } else {
      for (const type of words(part)) scalars.add(type);
    }
  }
  return { scalars, items };
}

export function shapeOfField(field: Pick<FieldView, 'types' | 'items'>): ValueShape {
  if (field.types.length === 0 || field.types.includes('any')) return ANY;
  const scalars = new Set(field.types.filter((type) => type !== 'array' && type !== 'null'));
  const items = field.types.includes('array') ? new Set(field.items === undefined || field.items.length === 0 ? (['any'] as FieldType[]) : field.items) : undefined;
  return { scalars, items };
}

function typeOfValue(value: unknown): FieldType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'object') return typeof value as FieldType;
  return 'any';
}

function shapeOfValue(value: unknown): ValueShape {
  if (Array.isArray(value)) return { scalars: new Set(), items: new Set(value.length === 0 ? (['any'] as FieldType[]) : value.map(typeOfValue)) };
  return { scalars: new Set([typeOfValue(value)]), items: undefined };
}

/** `from` accepts a value of type `type` (integers are numbers; `any` fits everything). */
function accepts(accepted: ReadonlySet<FieldType>, type: FieldType): boolean {
  return accepted.has('any') || type === 'any' || accepted.has(type) || (type === 'integer' && accepted.has('number'));
}

function overlap(given: ReadonlySet<FieldType>, accepted: ReadonlySet<FieldType>): 'all' | 'some' | 'none' {
  const types = [...given].filter((type) => type !== 'null');
  if (types.length === 0) return 'all';
  const fitting = types.filter((type) => accepts(accepted, type)).length;
  return fitting === types.length ? 'all' : fitting === 0 ? 'none' : 'some';
}

export function convertName(step: ConvertStep): string {
  if (typeof step === 'string') return step;
  if ('phone' in step) return 'phone-e164';
  if ('date' in step) return 'date';
  if ('split' in step) return 'split';
  return 'join';
}

function describe(shape: ValueShape): string {
  const parts: string[] = [...shape.scalars].filter((type) => type !== 'null');
  if (shape.items !== undefined) parts.push(`list of ${[...shape.items].join(' | ')}`);
  return parts.length === 0 ? 'nothing' : parts.join(' | ');
}

/** The shape after one convert, or why the convert cannot take the value. */
export function applyConvert(shape: ValueShape, converter: ConverterView): { shape: ValueShape } | { error: string } {
  const input = parseTypeText(converter.input);
  const output = parseTypeText(converter.output);
  if (input.items !== undefined && input.scalars.size === 0) {
    // Takes the list whole (join).
    if (shape.items === undefined) return { error: `${converter.name} takes a list, but the value is ${describe(shape)}` };
    if (overlap(shape.items, input.items) === 'none') return { error: `${converter.name} takes a list of ${[...input.items].join(' | ')}, not ${describe(shape)}` };
    return { shape: output };
  }
  if (input.items !== undefined) {
    // Takes text or a list of text whole (split).
    const scalarFit = overlap(shape.scalars, input.scalars);
    const itemFit = shape.items === undefined ? 'all' : overlap(shape.items, input.items);
    if ((shape.scalars.size > 0 && scalarFit === 'none') || itemFit === 'none') return { error: `${converter.name} takes ${converter.input}, not ${describe(shape)}` };
    return { shape: output };
  }
  // Element-wise: a list stays a list of converted values.
  const scalarFit = shape.scalars.size === 0 ? 'all' : overlap(shape.scalars, input.scalars);
  const itemFit = shape.items === undefined ? 'all' : overlap(shape.items, input.scalars);
  if (scalarFit === 'none' || itemFit === 'none') return { error: `${converter.name} takes ${converter.input}, not ${describe(shape)}` };
  return {
    shape: {
      scalars: shape.scalars.size === 0 ? new Set() : output.scalars,
      items: shape.items === undefined ? undefined : output.scalars,
    },
  };
}

function convertSteps(entry: MapEntry): readonly ConvertStep[] {
  if (typeof entry === 'string' || !('from' in entry) || entry.convert === undefined) return [];
  return Array.isArray(entry.convert) ? (entry.convert as readonly ConvertStep[]) : [entry.convert as ConvertStep];
}

/** The convert that fixes a gap between two types, if one does. */
function suggestion(from: ValueShape, target: ValueShape, targetField: FieldView): string | undefined {
  const fromText = from.scalars.has('string') || from.scalars.has('any');
  if (target.items !== undefined && from.items === undefined && fromText) return 'split';
  if (target.items === undefined && from.items !== undefined && target.scalars.has('string')) return 'join';
  if (fromText && target.scalars.has('integer') && !target.scalars.has('number')) return 'integer';
  if (fromText && target.scalars.has('number')) return 'number';
  if (fromText && target.scalars.has('boolean')) return 'boolean';
  if (target.scalars.has('string') && [...from.scalars].some((type) => type !== 'string')) return 'string';
  if (targetField.format === 'email') return 'email';
  return undefined;
}

/** A convert worth offering even when the types fit (an e-mail, a date, a phone number). */
function formatSuggestion(targetField: FieldView): string | undefined {
  if (targetField.format === 'email') return 'email';
  if (targetField.format === 'date-time' || targetField.format === 'date') return 'date';
  if (/phone/i.test(targetField.path)) return 'phone-e164';
  return undefined;
}

/**
 * Judges one mapping: the source field (undefined when the path is not a known field), the entry and the target.
 * `mismatch`: the value can never fit (a list into text); `warning`: only some of its types fit.
 */
export function checkMapping(
  entry: MapEntry,
  source: FieldView | undefined,
  target: FieldView | undefined,
  converters: readonly ConverterView[],
): Verdict {
  let shape: ValueShape;
  if (typeof entry === 'string' || 'from' in entry) shape = source === undefined ? ANY : shapeOfField(source);
  else if ('const' in entry) shape = shapeOfValue(entry.const);
  else shape = ANY;

  for (const step of convertSteps(entry)) {
    const name = convertName(step);
    const converter = converters.find((candidate) => candidate.name === name);
    if (converter === undefined) return { level: 'mismatch', message: `unknown convert '${name}'` };
    const next = applyConvert(shape, converter);
    if ('error' in next) return { level: 'mismatch', message: next.error };
    shape = next.shape;
  }
  if (target === undefined) return { level: 'ok' };
  const wanted = shapeOfField(target);
  if (wanted.scalars.has('any')) return { level: 'ok' };

  const problems: string[] = [];
  let worst: 'ok' | 'warning' | 'mismatch' = 'ok';
  const note = (level: 'warning' | 'mismatch', message: string): void => {
    problems.push(message);
    if (level === 'mismatch' || worst === 'ok') worst = level;
  };
  if (shape.items !== undefined && !shape.items.has('any') && wanted.items === undefined) {
    if (shape.scalars.size === 0) note('mismatch', `a list → ${describe(wanted)}`);
    else note('warning', `may be a list, but ${target.path} takes ${describe(wanted)}`);
  } else if (shape.items !== undefined && wanted.items !== undefined) {
    const fit = overlap(shape.items, wanted.items);
    if (fit !== 'all') note(fit === 'none' ? 'mismatch' : 'warning', `list of ${[...shape.items].join(' | ')} → ${describe(wanted)}`);
  }
  const scalars = [...shape.scalars].filter((type) => type !== 'null' && type !== 'any');
  if (scalars.length > 0) {
    const fit = overlap(new Set(scalars), wanted.scalars);
    const intoList = wanted.scalars.size === 0 && wanted.items !== undefined;
    if (fit !== 'all' || intoList) {
      const level = intoList || fit === 'none' ? (shape.items !== undefined && !intoList ? 'warning' : 'mismatch') : 'warning';
      note(level, `${scalars.join(' | ')} → ${describe(wanted)}`);
    }
  }
  if (worst === 'ok') {
    const hinted = formatSuggestion(target);
    const already = convertSteps(entry).map(convertName);
    return hinted === undefined || already.includes(hinted) || !(typeof entry === 'string' || 'from' in entry) ? { level: 'ok' } : { level: 'ok', suggest: hinted };
  }
  const suggest = suggestion(shape, wanted, target);
  return {
    level: worst,
    message: problems.join('; '),
    ...(suggest === undefined ? {} : { suggest }),
  };
}
