import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStream, type ConnectorDef, type Page, type StreamDef} from '../contract/connector.js';
import type { ConnectorContext } from '../contract/context.js';
import { checkActionRun, checkErrorCase } from './action-checks.js';
import type { ConformanceFixture } from './conformance-fixture.js';
import { connectorProblems } from './connector-problems.js';
import { SchemaValidators } from './schema-validator.js';
import { checkPaging, checkResume } from './stream-checks.js';
import { checkTrigger } from './trigger-checks.js';

/**
 * Registers the conformance tests every connector runs with one line:
 *   describeConformance(myConnector, { validConfig, invalidConfigs, context: () => createTestContext(...) })
 * Metadata, config schema, every stream (paging to the end and resuming from every page, in each sync mode),
 * every action (schemas, and optionally a real run and replay), triggers, and typed errors.
 */
export function describeConformance(connector: ConnectorDef, fixture: ConformanceFixture): void {
  const validators = new SchemaValidators();

  describe(`${connector.name} connector conformance`, () => {
    if (fixture.setup !== undefined) beforeAll(() => fixture.setup?.());
    if (fixture.teardown !== undefined) afterAll(() => fixture.teardown?.());

    const resolved = async (stream: StreamDef): Promise<{ ctx: ConnectorContext; stream: StreamDef }> => {
      const ctx = await fixture.context();
      return { ctx, stream: resolveStream(stream, ctx.config) };
    };

    describe('metadata', () => {
      it('is sane: names, semver, unique names, schemas compile, cursors, scopes', () => {
        expect(connectorProblems(connector, { config: fixture.validConfig, validators })).toEqual([]);
      });
      const loadSandbox = connector.sandbox;
      if (loadSandbox !== undefined) {
        it('loads its sandbox', async () => {
          expect(typeof (await loadSandbox()).create).toBe('function');
        });
      }
    });

    describe('config schema', () => {
      it('accepts the valid config', () => {
        expect(validators.problem(connector.configSchema, fixture.validConfig)).toBeUndefined();
      });
      for (const { config, because } of fixture.invalidConfigs) {
        it(`rejects a config that ${because}`, () => {
          expect(validators.problem(connector.configSchema, config)).toBeDefined();
        });
      }
    });

    describe('streams', () => {
      for (const definition of connector.streams) {
        const settings = fixture.streams?.[definition.name];
        if (settings?.skip !== undefined) {
          it.skip(`${definition.name}: ${settings.skip}`, () => undefined);
          continue;
        }
        for (const mode of definition.syncModes) {
          // The resume check reuses the pages of the paging check (read once per stream and mode).
          let firstRead: Promise<Page[]> | undefined;
          const readOnce = async (): Promise<Page[]> => {
            firstRead ??= resolved(definition).then(({ ctx, stream }) =>
              checkPaging(ctx, { stream, mode, validators, ...(settings?.params === undefined ? {} : { params: settings.params }), ...(settings?.minRecords === undefined ? {} : { minRecords: settings.minRecords }) }),
            );
            return firstRead;
          };
          it(`${definition.name} (${mode}): pages to the end with valid records and unique keys`, async () => {
            const pages = await readOnce();
            expect(pages.length).toBeGreaterThan(0);
          });
          it(`${definition.name} (${mode}): resuming from every page's state yields exactly the records after it`, async () => {
            const pages = await readOnce();
            const { ctx, stream } = await resolved(definition);
            const checked = await checkResume(ctx, {
              stream,
              mode,
              pages,
              validators,
              ...(settings?.params === undefined ? {} : { params: settings.params }),
              ...(fixture.maxResumeChecks === undefined ? {} : { maxChecks: fixture.maxResumeChecks }),
            });
            expect(checked).toBeGreaterThan(0);
          });
        }
      }
    });

    describe('actions', () => {
      for (const action of connector.actions) {
        const settings = fixture.actions?.[action.name];
        if (settings?.skip !== undefined) {
          it.skip(`${action.name}: ${settings.skip}`, () => undefined);
          continue;
        }
        it(`${action.name}: input schema accepts the valid input and rejects the invalid one`, () => {
          expect(settings, `add actions['${action.name}'] to the fixture (validInput, invalidInput) or skip it with a reason`).toBeDefined();
          if (settings === undefined) return;
          expect(validators.problem(action.input, settings.validInput)).toBeUndefined();
          expect(validators.problem(action.input, settings.invalidInput)).toBeDefined();
          if (action.options !== undefined) expect(validators.problem(action.options, settings.options ?? {})).toBeUndefined();
        });
        if (settings?.run === true) {
          it(`${action.name}: runs, is found, and replays as its idempotence says`, async () => {
            const result = await checkActionRun(connector, action, await fixture.context(), settings);
            expect(result.outcome).toBeTypeOf('string');
          });
        }
      }
    });

    if (connector.triggers.length > 0) {
      describe('triggers', () => {
        for (const trigger of connector.triggers) {
          const settings = fixture.triggers?.[trigger.name];
          if (settings?.skip !== undefined) {
            it.skip(`${trigger.name}: ${settings.skip}`, () => undefined);
            continue;
          }
          if (settings === undefined) {
            // Poll triggers read their stream, which the stream checks cover; webhooks need a delivery to parse.
            if (trigger.kind === 'webhook') {
              it(`${trigger.name}: has a delivery in the fixture`, () => {
                expect.fail(`add triggers['${trigger.name}'] to the fixture with a delivery (or skip it with a reason)`);
              });
            }
            continue;
          }
          it(`${trigger.name}: verifies a good delivery and parses it into records of '${trigger.stream}'`, async () => {
            const definition = connector.streams.find((stream) => stream.name === trigger.stream);
            expect(definition, `stream '${trigger.stream}'`).toBeDefined();
            if (definition === undefined) return;
            const { ctx, stream } = await resolved(definition);
            const event = await checkTrigger(trigger, stream, ctx, settings, validators);
            expect(event.records.length).toBeGreaterThan(0);
          });
        }
      });
    }

    if (fixture.errorCase !== undefined) {
      describe('errors', () => {
        it(`fail with a FerryError that has a code${fixture.errorCode === undefined ? '' : ` (${fixture.errorCode})`} and a hint`, async () => {
          const ctx = await fixture.context();
          const error = await checkErrorCase(async () => fixture.errorCase?.(ctx), fixture.errorCode);
          expect(error.code).toMatch(/^[A-Z][A-Z0-9_]*$/);
        });
      });
    }
  });
}

