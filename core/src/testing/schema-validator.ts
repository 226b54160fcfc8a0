import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { JsonSchema } from '../contract/json-schema.js';

/**
 * The ajv the conformance checks compile connector schemas with: unknown keywords are errors (a typo in a schema
 * should not silently validate everything), formats are known, every error is reported.
 */
export function createSchemaAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false });
  addFormats.default(ajv);
  return ajv;
}

export function describeAjvErrors(errors: readonly ErrorObject[] | null | undefined, limit = 5): string {
  if (errors === null || errors === undefined || errors.length === 0) return 'invalid';
  const shown = errors.slice(0, limit).map((error) => `${error.instancePath === '' ? '(root)' : error.instancePath} ${error.message ?? 'is invalid'}`);
  return errors.length > limit ? `${shown.join('; ')}; … ${errors.length - limit} more` : shown.join('; ');
}

/** Compiles once per schema object; compiling is slow and the same schema validates many records. */
export class SchemaValidators {
  private readonly compiled = new WeakMap<JsonSchema, ValidateFunction>();

  constructor(private readonly ajv: Ajv = createSchemaAjv()) {}

  validator(schema: JsonSchema): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (validate === undefined) {
      validate = this.ajv.compile(schema);
      this.compiled.set(schema, validate);
    }
    return validate;
  }

  /** undefined when valid, else a one-line description of what is wrong. */
  problem(schema: JsonSchema, value: unknown): string | undefined {
    const validate = this.validator(schema);
    return validate(value) ? undefined : describeAjvErrors(validate.errors);
  }

  /** undefined when the schema compiles, else why not. */
  compileProblem(schema: JsonSchema): string | undefined {
    try {
      this.validator(schema);
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
}
