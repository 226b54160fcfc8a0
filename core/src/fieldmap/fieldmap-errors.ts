import { stringify } from 'safe-stable-stringify';
import { FerryError } from '../errors/ferry-error.js';

/** The three codes this area throws: two at compile time, one per record. */
export type FieldMapErrorCode = 'FIELDMAP_INVALID' | 'EXPRESSION_INVALID' | 'MAP_FAILED';

const VALUE_LIMIT = 80;

/**
 * A value as it may appear in an error: strings as themselves, anything else as JSON, cut to 80 characters so
 * a dead letter never carries a whole record in its message.
 */
export function describeValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === undefined) text = 'undefined';
  else if (typeof value === 'function') text = '[function]';
  else text = stringify(value) ?? `[${typeof value}]`;
  return text.length <= VALUE_LIMIT ? text : `${text.slice(0, VALUE_LIMIT - 1)}…`;
}

/** The way a field is named in messages: `map field 'phone'`. */
function fieldLabel(field: string | undefined): string {
  return field === undefined ? 'field map' : `field '${field}'`;
}

export function fieldMapInvalid(field: string | undefined, reason: string, hint: string): FerryError<'FIELDMAP_INVALID'> {
  return new FerryError('FIELDMAP_INVALID', `${fieldLabel(field)}: ${reason}`, {
    hint,
    details: field === undefined ? { reason } : { field, reason },
  });
}

export interface ExpressionProblem {
  readonly message: string;
  readonly position: number;
  readonly token?: string | undefined;
  readonly jsonataCode?: string | undefined;
}

/** `field` is absent for a `where` expression. */
export function expressionInvalid(field: string | undefined, expression: string, problem: ExpressionProblem, hint: string): FerryError<'EXPRESSION_INVALID'> {
  const where = field === undefined ? 'where' : fieldLabel(field);
  const near = problem.token === undefined || problem.token === '' ? '' : ` near '${problem.token}'`;
  const details: Record<string, unknown> = { position: problem.position, expression: describeValue(expression) };
  if (field !== undefined) details['field'] = field;
  if (problem.token !== undefined) details['token'] = problem.token;
  if (problem.jsonataCode !== undefined) details['jsonataCode'] = problem.jsonataCode;
  return new FerryError('EXPRESSION_INVALID', `${where}: expression error at position ${problem.position}${near}: ${problem.message}`, {
    hint,
    details,
  });
}

export interface MapFailure {
  /** Target field (or `where`) the record failed on. */
  readonly field: string;
  readonly value: unknown;
  /** What was wrong, in a few words: `not a phone number`. */
  readonly reason: string;
  readonly hint: string;
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

export function mapFailed(failure: MapFailure): FerryError<'MAP_FAILED'> {
  const shown = describeValue(failure.value);
  const subject = failure.field === 'where' ? 'where' : fieldLabel(failure.field);
  return new FerryError('MAP_FAILED', `${subject}: ${failure.reason} (value: ${shown})`, {
    hint: failure.hint,
    details: { ...failure.extra, field: failure.field, value: shown, reason: failure.reason },
    ...(failure.cause === undefined ? {} : { cause: failure.cause }),
  });
}

/** A convert step's failure before the field is known; the field map adds the target field when it catches it. */
export class ConvertFailure extends Error {
  constructor(
    readonly value: unknown,
    readonly reason: string,
    readonly hint: string,
  ) {
    super(reason);
    this.name = 'ConvertFailure';
  }
}
