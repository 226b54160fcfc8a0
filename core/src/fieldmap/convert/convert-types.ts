import type { ConvertSpec } from '../../contract/pipeline.js';

export type ConvertName =
  | 'phone-e164'
  | 'email'
  | 'lowercase'
  | 'uppercase'
  | 'trim'
  | 'string'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'date'
  | 'split'
  | 'join';

/** One line of the catalogue: what the studio shows and what `ferry catalog` prints. */
export interface ConverterInfo {
  readonly name: ConvertName;
  readonly description: string;
  /** Value types accepted, in JSON Schema words (`string | number`); an array of them is converted element-wise. */
  readonly input: string;
  readonly output: string;
  /** The option form, when the convert takes options: `{ phone: { country: GB } }`. */
  readonly options?: string;
  /** Worked examples; the test suite checks each one. */
  readonly examples: readonly ConverterExample[];
}

export interface ConverterExample {
  readonly convert: ConvertSpec;
  readonly input: unknown;
  readonly output: unknown;
}

/** A compiled convert step: returns the converted value or throws a ConvertFailure. */
export type ConvertStep = (value: unknown) => unknown;

/** What a convert needs to know at compile time. */
export interface ConvertContext {
  /** Target field, for compile errors. */
  readonly field: string;
  readonly defaultCountry: string | undefined;
}

/** How a convert treats arrays: element-wise (most), or on the whole list (`join`, `split`). */
export type ArrayHandling = 'each' | 'whole';

export interface ConverterDefinition {
  readonly info: ConverterInfo;
  readonly arrays: ArrayHandling;
  /** The option key of the object form (`phone`, `date`, `split`, `join`), if it has one. */
  readonly optionKey?: string;
  /** Builds the step from the options (undefined for the bare name); validates them. */
  create(options: unknown, context: ConvertContext): ConvertStep;
}
