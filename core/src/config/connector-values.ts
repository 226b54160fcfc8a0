import type { JsonSchema } from '../contract/json-schema.js';
import { checkResolvedValue, checkWrittenValue, type CheckedValue, type IgnoredError } from './check-value.js';
import { ConfigError } from './config-error.js';
import type { SchemaReport } from './schema-problems.js';
import { connectorSchemaValidators, type ValidatorPair } from './schema-validators.js';

export interface ConnectorValue {
  /** The schema the connector declares for this value. */
  readonly schema: JsonSchema;
  /** Its name in messages: `the config schema`, `the params of stream 'contacts'`. */
  readonly schemaName: string;
  readonly connector: string;
  readonly written: unknown;
  readonly resolved: unknown;
  readonly report: SchemaReport;
  readonly ignore?: IgnoredError;
}

/**
 * Validates a value against a schema a connector declares (connection config, stream params, action options),
 * both as written and once resolved; the result's `value` is the coerced, resolved value.
 */
export function checkConnectorValue(check: ConnectorValue): CheckedValue {
  let validators: ValidatorPair;
  try {
    validators = connectorSchemaValidators(check.schema);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      value: check.resolved,
      problems: [
        new ConfigError(
          'CONFIG_BAD_CONNECTOR',
          check.report.source.positionOf(check.report.pointer, 'key'),
          `connector '${check.connector}' declares an invalid JSON Schema for ${check.schemaName}: ${why}`,
          { hint: `this is a defect of connector '${check.connector}': update it or report it to its maintainers`, cause: error },
        ),
      ],
    };
  }
  const written = checkWrittenValue(validators, check.written, check.report, check.ignore);
  if (written.length > 0) return { problems: written, value: check.resolved };
  return checkResolvedValue(validators, check.resolved, check.report, check.ignore);
}
