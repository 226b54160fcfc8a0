import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError } from './config-error.js';
import { parsePipeline } from './pipeline-loader.js';
import { parseProject } from './project-loader.js';
import { testProject, testRegistry } from './test-connectors.js';

const project = testProject();
const PIPELINE_FILE = 'pipelines/fuzz.yaml';
const PROJECT_FILE = '/nonexistent-ferry-fuzz/ferry.yaml';
const env = { SET: 'value', NUMBER: '12', EMPTY: '' };

/** Runs the loader; anything thrown must be a well-formed ConfigError. */
function loadsOrExplains(load: () => unknown, file: string): void {
  try {
    load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.column).toBeGreaterThanOrEqual(1);
    expect(error.message.startsWith(`${file}:${error.line}:${error.column}: `)).toBe(true);
    expect(error.hint).toBeTruthy();
    for (const other of error.others) {
      expect(other.line).toBeGreaterThanOrEqual(1);
      expect(other.column).toBeGreaterThanOrEqual(1);
      expect(other.message.startsWith(`${other.file}:${other.line}:${other.column}: `)).toBe(true);
    }
  }
}

const pipeline = (text: string) => () => parsePipeline(text, PIPELINE_FILE, { project, registry: testRegistry, env });
const projectFile = (text: string) => () => parseProject(text, PROJECT_FILE, { registry: testRegistry, env });

// Text made of the characters YAML gives meaning to, so that the parser's error paths are reached often.
const yamlish = fc.string({
  unit: fc.constantFrom(...'abc:- \n\t{}[],"\'#&*!|>%@`?$\\0123456789.'.split(''), '${SET}', '${MISSING}', '---\n', 'name: ', '  '),
  maxLength: 80,
});

// Words the loaders know, mixed with noise, so that generated documents reach the deep checks.
const word = fc.oneof(
  fc.constantFrom(
    'name', 'from', 'to', 'map', 'then', 'on', 'where', 'connection', 'stream', 'action', 'sync', 'params', 'with', 'match',
    'webhook', 'schedule', 'expr', 'const', 'convert', 'default', 'crm', 'chat', 'contacts', 'notes', 'contacts.upsert',
    'contacts.tags.add', 'messages.send', 'crm/contact.created', 'first_name', 'phone', 'phone-e164', 'full', 'incremental',
    'connections', 'connector', 'config', 'auth', 'kind', 'token', 'bearer', 'oauth2', 'baseUrl', 'store', 'pipelines',
    'serve', 'port', 'log', 'level', '*/5 * * * *', "'a' in tags", '${SET}', '${NUMBER}', '${MISSING}', '$${X}', '__proto__',
  ),
  fc.string({ maxLength: 12 }),
);
const value = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    word,
    fc.integer({ min: -5, max: 70000 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(word, tie('value'), { maxKeys: 5 }),
  ),
})).value;
const document = fc.dictionary(word, value, { maxKeys: 8 });

/** Mostly a valid choice; now and then a known mistake or anything at all. */
function pick(valid: readonly string[], mistakes: readonly string[] = []): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...valid), weight: 20 },
    { arbitrary: mistakes.length === 0 ? word : fc.constantFrom(...mistakes), weight: 1 },
    { arbitrary: word, weight: 1 },
  );
}
const entry = fc.oneof(
  pick(['first_name', 'phone', 'address.city', 'tags[].label', 'emails[0]'], ['a[', 'frist_name']),
  fc.record({ from: pick(['phone', 'email']), convert: pick(['phone-e164', 'lowercase', 'trim'], ['nope']) }, { requiredKeys: ['from'] }),
  fc.record({ expr: pick(['$uppercase(first_name)', "first_name & ' ' & last_name", '$$.phone'], ['((']) }),
  fc.record({ const: fc.oneof(word, fc.integer(), fc.boolean()) }),
);
const fieldMap = fc.dictionary(pick(['firstName', 'phone', 'email', 'source', 'address.city'], ['frstName']), entry, { maxKeys: 3 });
const condition = pick(["'a' in tags", 'first_name = "x"', '$count(tags) > 1'], ['((', '${MISSING}']);
const mostlyValidPipeline = fc.record(
  {
    name: pick(['p', 'leads-1'], ['Leads']),
    from: fc.record(
      {
        connection: pick(['crm'], ['chat', 'crn']),
        stream: pick(['contacts'], ['notes', 'contact']),
        sync: pick(['full', 'incremental'], ['incrementl']),
        params: fc.constantFrom({}, { limit: 5 }, { since: '2024-01-01' }, { limit: '${NUMBER}' }, { limit: 'x' }, { limt: 1 }),
      },
      { requiredKeys: ['connection', 'stream'] },
    ),
    to: fc.record(
      {
        connection: pick(['crm'], ['chat']),
        action: pick(['contacts.upsert'], ['contacts.upsrt', 'messages.send']),
        match: fc.constantFrom(['phone'], ['email'], ['phone', 'email'], ['nope']),
        with: fc.constantFrom({}, { dryRun: true }, { dryRun: '${SET}' }, { dry: true }),
      },
      { requiredKeys: ['connection', 'action'] },
    ),
    map: fieldMap,
    on: fc.array(
      fc.oneof(
        fc.record({ webhook: pick(['crm/contact.created'], ['crm/note.created', 'chat/contact.created', 'crm/x']) }),
        fc.record({ schedule: pick(['*/5 * * * *', '0 3 * * *'], ['0 0 * *', '${SET}']) }),
      ),
      { maxLength: 2 },
    ),
    where: condition,
    // oxlint-disable-next-line unicorn/no-thenable -- a pipeline's follow-up steps, never awaited
    then: fc.array(
      fc.record(
        {
          action: pick(['contacts.tags.add'], ['messages.send']),
          with: fc.constantFrom({ tags: ['lead'] }, { tags: [] }, {}),
          where: condition,
        },
        { requiredKeys: ['action', 'with'] },
      ),
      { maxLength: 1 },
    ),
    concurrency: fc.oneof(fc.integer({ min: 1, max: 256 }), fc.constantFrom(0, 'four')),
  },
  { requiredKeys: ['name', 'from', 'to'] },
);

describe('the loaders explain every bad input with a positioned ConfigError', () => {
  it('parsePipeline, on arbitrary text', () => {
    fc.assert(fc.property(yamlish, (text) => loadsOrExplains(pipeline(text), PIPELINE_FILE)), { numRuns: 400 });
  });

  it('parseProject, on arbitrary text', () => {
    fc.assert(fc.property(yamlish, (text) => loadsOrExplains(projectFile(text), PROJECT_FILE)), { numRuns: 400 });
  });

  it('parsePipeline, on arbitrary documents written as YAML', () => {
    fc.assert(
      fc.property(document, fc.jsonValue({ maxDepth: 3 }), (doc, json) => {
        loadsOrExplains(pipeline(stringify(doc)), PIPELINE_FILE);
        loadsOrExplains(pipeline(stringify(json)), PIPELINE_FILE);
      }),
      { numRuns: 300 },
    );
  });

  it('parsePipeline, on mostly valid pipelines (reaching the checks against project and connectors)', () => {
    let loaded = 0;
    fc.assert(
      fc.property(mostlyValidPipeline, (doc) => {
        try {
          pipeline(stringify(doc))();
          loaded += 1;
        } catch {
          loadsOrExplains(pipeline(stringify(doc)), PIPELINE_FILE);
        }
      }),
      { numRuns: 400 },
    );
    // The generator must also produce pipelines that load, or it would not reach the deepest checks.
    expect(loaded).toBeGreaterThan(0);
  });

  it('parseProject, on arbitrary documents written as YAML', () => {
    const connection = fc.record(
      { connector: word, config: value, auth: fc.dictionary(word, value, { maxKeys: 3 }) },
      { requiredKeys: [] },
    );
    const nearValid = fc.record(
      { connections: fc.dictionary(word, connection, { maxKeys: 3 }), serve: fc.dictionary(word, value, { maxKeys: 2 }), store: word },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(document, nearValid, (doc, near) => {
        loadsOrExplains(projectFile(stringify(doc)), PROJECT_FILE);
        loadsOrExplains(projectFile(stringify(near)), PROJECT_FILE);
      }),
      { numRuns: 300 },
    );
  });
});
