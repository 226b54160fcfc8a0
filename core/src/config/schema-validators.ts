import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type Options, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { JsonSchema } from '../contract/json-schema.js';
import { FerryError } from '../errors/ferry-error.js';

/**
 * Compiled validators. Each schema gets two: one that only checks the file as written, and one that also
 * coerces strings to the declared scalar types — `${PORT}` resolves to the text "8787" and must still fill an
 * integer field.
 */
export interface ValidatorPair {
  readonly check: ValidateFunction;
  readonly coerce: ValidateFunction;
}

export type ConfigFileKind = 'pipeline' | 'ferry';

/** The annotation our own schemas use to say, in words, what a value must look like. */
export const EXPECTED_KEYWORD = 'x-expected';

const SCHEMA_FILES: Record<ConfigFileKind, URL> = {
  pipeline: new URL('../../../config/pipeline.schema.json', import.meta.url),
  ferry: new URL('../../../config/ferry.schema.json', import.meta.url),
};

/** Where the schema of a file kind lives (the CLI points editors at it). */
export function configSchemaPath(kind: ConfigFileKind): string {
  return fileURLToPath(SCHEMA_FILES[kind]);
}

const BASE_OPTIONS: Options = { allErrors: true, verbose: true };

function withFormats<A extends Ajv | Ajv2020>(ajv: A): A {
  addFormats.default(ajv);
  ajv.addKeyword(EXPECTED_KEYWORD);
  return ajv;
}

let fileAjv: { check: Ajv; coerce: Ajv } | undefined;
const fileValidators = new Map<ConfigFileKind, ValidatorPair>();

/** The validators of config/pipeline.schema.json or config/ferry.schema.json (draft-07, strict). */
export function configFileValidators(kind: ConfigFileKind): ValidatorPair {
  const cached = fileValidators.get(kind);
  if (cached !== undefined) return cached;
  fileAjv ??= {
    check: withFormats(new Ajv({ ...BASE_OPTIONS, strict: true })),
    coerce: withFormats(new Ajv({ ...BASE_OPTIONS, strict: true, coerceTypes: true })),
  };
  const schema = readSchemaFile(kind);
  const pair = { check: fileAjv.check.compile(schema), coerce: fileAjv.coerce.compile(schema) };
  fileValidators.set(kind, pair);
  return pair;
}

/** Reads a file schema; a missing or broken one is an installation problem, not a problem of the user's file. */
export function readSchemaFile(kind: ConfigFileKind): Record<string, unknown> {
  const path = configSchemaPath(kind);
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new FerryError('CONFIG_SCHEMA_UNAVAILABLE', `cannot read the ${kind} schema at ${path}`, {
      hint: 'the installation is incomplete: reinstall ferry so that its config/ directory is present',
      cause: error,
    });
  }
}

// Connector schemas are written by connector authors in draft 2020-12 (draft-06/07 when their $schema says so).
// strict: false — an annotation ajv does not know (x-*, examples) must not stop a user's pipeline from loading.
// addUsedSchema: false — two connectors may reuse an $id without clashing in these shared instances.
let connectorAjv: { draft2020: { check: Ajv2020; coerce: Ajv2020 }; draft7: { check: Ajv; coerce: Ajv } } | undefined;
const connectorValidators = new WeakMap<JsonSchema, ValidatorPair>();

/** Validators for a schema a connector declares (config, stream params, action options and input). */
export function connectorSchemaValidators(schema: JsonSchema): ValidatorPair {
  const cached = connectorValidators.get(schema);
  if (cached !== undefined) return cached;
  const lenient: Options = { ...BASE_OPTIONS, strict: false, addUsedSchema: false };
  connectorAjv ??= {
    draft2020: {
      check: withFormats(new Ajv2020(lenient)),
      coerce: withFormats(new Ajv2020({ ...lenient, coerceTypes: true })),
    },
    draft7: {
      check: withFormats(new Ajv(lenient)),
      coerce: withFormats(new Ajv({ ...lenient, coerceTypes: true })),
    },
  };
  const dialect = typeof schema['$schema'] === 'string' && /draft-0[67]/.test(schema['$schema']) ? 'draft7' : 'draft2020';
  const instances = connectorAjv[dialect];
  const pair = { check: instances.check.compile(schema), coerce: instances.coerce.compile(schema) };
  connectorValidators.set(schema, pair);
  return pair;
}
