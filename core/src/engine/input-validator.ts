import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { JsonRecord, JsonSchema } from '../contract/json-schema.js';
import { FerryError } from '../errors/ferry-error.js';

/** Checks one mapped record; returns undefined when it is valid, else the FerryError to dead-letter it with. */
export type InputValidator = (input: JsonRecord) => FerryError | undefined;

// strict: false — connector schemas may carry annotations ajv does not know (x-*, examples).
// addUsedSchema: false — two connectors may reuse an $id without clashing in this shared instance.
const ajv = new Ajv2020({ strict: false, allErrors: false, addUsedSchema: false });
addFormats.default(ajv);

// Compiled once per schema object, across runs (a service runs the same pipeline many times).
const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function compile(schema: JsonSchema, action: string): ValidateFunction {
  const known = compiled.get(schema);
  if (known !== undefined) return known;
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw new FerryError('ACTION_SCHEMA_INVALID', `the input schema of action '${action}' does not compile: ${String(error)}`, {
      hint: "the connector's action definition is broken; report it to the connector's maintainers",
      cause: error,
    });
  }
  compiled.set(schema, validate);
  return validate;
}

/** Field path an ajv error is about: `/address/city`, or the missing property for `required`. */
function fieldOf(error: ErrorObject): string {
  const missing = error.params['missingProperty'];
  const extra = error.params['additionalProperty'];
  const child = typeof missing === 'string' ? missing : typeof extra === 'string' ? extra : undefined;
  const base = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (child === undefined) return base === '' ? '(record)' : base;
  return base === '' ? child : `${base}.${child}`;
}

export function compileInputValidator(schema: JsonSchema, action: string, step: string): InputValidator {
  const validate = compile(schema, action);
  return (input) => {
    if (validate(input)) return undefined;
    const first = validate.errors?.[0];
    const field = first === undefined ? '(record)' : fieldOf(first);
    const reason = first?.message ?? 'is invalid';
    return new FerryError('INPUT_INVALID', `input for ${action} is invalid: '${field}' ${reason}`, {
      hint: `fix the ${step} map for '${field}' (or the source data), then replay with \`ferry dlq replay\``,
      details: { field, action, keyword: first?.keyword },
    });
  };
}
