/**
 * @ferry/core/testing — what connector authors test with: a quiet ConnectorContext, and the conformance suite every
 * connector runs in one line. Imports vitest, so it is a separate entry point, never re-exported by @ferry/core.
 */
export { createTestContext, noHttpClient, type TestContextOptions } from './create-test-context.js';
export { describeConformance } from './describe-conformance.js';
export type { ActionFixture, ConformanceFixture, StreamFixture, TriggerFixture } from './conformance-fixture.js';
export { connectorProblems } from './connector-problems.js';
export { checkPaging, checkResume, readAllPages, recordKey, resumePoints, type PagingCheck, type ResumeCheck, type StreamReadOptions } from './stream-checks.js';
export { actionRequest, checkActionRun, checkErrorCase, defaultSource } from './action-checks.js';
export { checkTrigger } from './trigger-checks.js';
export { ferryErrorOf } from './ferry-error-of.js';
export { createSchemaAjv, SchemaValidators } from './schema-validator.js';
