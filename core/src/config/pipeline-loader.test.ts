import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadPipeline, loadPipelines, parsePipeline } from './pipeline-loader.js';
import { parseProject } from './project-loader.js';
import { createConnectorRegistry } from './connector-registry.js';
import { chatConnector, testProject, testRegistry } from './test-connectors.js';

const project = testProject();
const options = { project, registry: testRegistry, env: { LIMIT: '25', TAG: 'lead' } };
const FILE = 'pipelines/leads.yaml';

const LEADS = `name: leads
description: CRM contacts tagged customer, upserted back with a tag
on:
  - webhook: crm/contact.created
  - schedule: "*/15 * * * *"
from: { connection: crm, stream: contacts, params: { limit: "\${LIMIT}" } }
where: "'customer' in tags"
to:   { connection: crm, action: contacts.upsert, match: [phone, email] }
map:
  firstName: first_name
  phone: { from: phone, convert: phone-e164 }
  email: { from: email, convert: [trim, lowercase] }
  address.city: address.city
  source: { const: crm }
then:
  - { action: contacts.tags.add, with: { tags: ["\${TAG}"] } }
`;

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** The error for LEADS with one piece of text replaced. */
function leadsError(from: string, to: string, env: Record<string, string> = options.env): ConfigError {
  if (!LEADS.includes(from)) throw new Error(`not in the pipeline: ${from}`);
  return errorOf(() => parsePipeline(LEADS.replace(from, to), FILE, { ...options, env }));
}

describe('parsePipeline', () => {
  it('gives the validated spec with defaults, resolved values and positions', () => {
    const spec = parsePipeline(LEADS, FILE, options);
    expect(spec.name).toBe('leads');
    expect(spec.file).toBe(join(process.cwd(), FILE));
    expect(spec.on).toEqual([{ webhook: 'crm/contact.created' }, { schedule: '*/15 * * * *' }]);
    expect(spec.from).toEqual({ connection: 'crm', stream: 'contacts', sync: 'incremental', params: { limit: 25 } });
    expect(spec.to).toEqual({ connection: 'crm', action: 'contacts.upsert', match: ['phone', 'email'] });
    expect(spec.map['email']).toEqual({ from: 'email', convert: ['trim', 'lowercase'] });
    expect(spec.then).toEqual([{ connection: 'crm', action: 'contacts.tags.add', with: { tags: ['lead'] } }]);
    expect(spec.passThrough).toBeUndefined();
    expect(spec.positions['from.stream']).toEqual({ file: FILE, line: 6, column: 26 });
    expect(spec.positions['map.phone']).toEqual({ file: FILE, line: 11, column: 3 });
    expect(spec.positions['then[0].action']).toEqual({ file: FILE, line: 16, column: 7 });
  });

  it('passes records through unchanged when there is no map, and defaults sync to what the stream supports', () => {
    const spec = parsePipeline(
      'name: notes-copy\nfrom: { connection: crm, stream: notes, params: { contactId: c1 } }\nto: { connection: chat, action: messages.send }\n',
      FILE,
      options,
    );
    expect(spec.passThrough).toBe(true);
    expect(spec.map).toEqual({});
    expect(spec.from.sync).toBe('full');
    expect(spec.then).toEqual([]);
    expect(spec.on).toEqual([]);
  });

  it('leaves a required stream param to the run (it may come from --param)', () => {
    const spec = parsePipeline('name: n\nfrom: { connection: crm, stream: notes }\nto: { connection: chat, action: messages.send }\n', FILE, options);
    expect(spec.from.params).toBeUndefined();
  });

  it('does not check source fields of streams whose records are open-ended', () => {
    const spec = parsePipeline(
      'name: chat-in\nfrom: { connection: chat, stream: contacts }\nto: { connection: crm, action: contacts.upsert }\nmap:\n  phone: number\n  source: custom_fields.origin\n',
      FILE,
      options,
    );
    expect(Object.keys(spec.map)).toEqual(['phone', 'source']);
  });
});

describe('pipeline errors name file:line:column, what was expected, and a fix', () => {
  it('YAML syntax', () => {
    const error = leadsError('map:\n  firstName: first_name', 'map:\n  firstName: first_name\n firstName: x');
    expect(error.code).toBe('CONFIG_SYNTAX');
    expect(error.message).toBe('pipelines/leads.yaml:11:1: YAML syntax error: all mapping items must start at the same column');
  });

  it('duplicate keys', () => {
    const error = leadsError('  source: { const: crm }', '  source: { const: crm }\n  phone: x');
    expect(error.code).toBe('CONFIG_SYNTAX');
    expect(error.message).toBe("pipelines/leads.yaml:15:3: duplicate key 'phone'");
  });

  it('wrong type', () => {
    const error = leadsError('name: leads', 'name: [leads]');
    expect(error.code).toBe('CONFIG_SCHEMA');
    expect(error.message).toBe("pipelines/leads.yaml:1:7: 'name' must be a string, not a list");
    expect(error.hint).toMatch(/^'name': Unique name of the pipeline/);
  });

  it('unknown key, with a suggestion', () => {
    const error = leadsError('where:', 'wher:');
    expect(error.code).toBe('CONFIG_UNKNOWN_KEY');
    expect(error.message).toBe("pipelines/leads.yaml:7:1: unknown key 'wher' — did you mean 'where'?");
    expect(error.hint).toBe("rename it to 'where', or use one of: name, description, on, from, where, when, to, map, then, include, skipEchoes, concurrency, batchSize");
  });

  it('a field map entry that fits no form', () => {
    const typo = leadsError('source: { const: crm }', 'source: { cnst: crm }');
    expect(typo.message).toBe(
      "pipelines/leads.yaml:14:11: 'map.source': expected a source path string, or an object with one of from/const/expr (unknown key 'cnst' — did you mean 'const'?)",
    );
    const number = leadsError('source: { const: crm }', 'source: 42');
    expect(number.message).toBe("pipelines/leads.yaml:14:11: 'map.source': expected a source path string, or an object with one of from/const/expr");
    // A value evidently meant as one form is reported through that form.
    const from = leadsError('{ from: phone, convert: phone-e164 }', '{ from: phone, convert: { phone: { contry: US } } }');
    expect(from.code).toBe('CONFIG_UNKNOWN_KEY');
    expect(from.message).toBe("pipelines/leads.yaml:11:45: unknown key 'contry' in 'map.phone.convert.phone' — did you mean 'country'?");
  });

  it('unknown connection', () => {
    const error = leadsError('{ connection: crm, action', '{ connection: crn, action');
    expect(error.code).toBe('CONFIG_UNKNOWN_CONNECTION');
    expect(error.message).toBe("pipelines/leads.yaml:8:21: unknown connection 'crn' — did you mean 'crm'?");
    expect(error.hint).toMatch(/^define it under connections: in .*ferry\.yaml, or use one of: crm, chat$/);
  });

  it('a connection whose connector is not installed', () => {
    const error = errorOf(() => parsePipeline(LEADS, FILE, { ...options, registry: createConnectorRegistry([chatConnector]) }));
    expect(error.code).toBe('CONFIG_UNKNOWN_CONNECTOR');
    expect(error.message).toBe("pipelines/leads.yaml:4:14: connection 'crm' uses connector 'crm', which is not installed");
    expect(error.hint).toMatch(/^install the connector, or fix connections\.crm\.connector in .*ferry\.yaml \(installed: chat\)$/);
  });

  it('unknown stream', () => {
    const error = leadsError('stream: contacts', 'stream: contact');
    expect(error.code).toBe('CONFIG_UNKNOWN_STREAM');
    expect(error.message).toBe("pipelines/leads.yaml:6:34: unknown stream 'contact' for connection 'crm' — did you mean 'contacts'?");
    expect(error.hint).toBe("streams of connector 'crm': contacts, notes (`ferry catalog crm`)");
  });

  it('unknown action', () => {
    const error = leadsError('action: contacts.tags.add', 'action: contacts.tag.add');
    expect(error.code).toBe('CONFIG_UNKNOWN_ACTION');
    expect(error.message).toBe("pipelines/leads.yaml:16:15: unknown action 'contacts.tag.add' for connection 'crm' — did you mean 'contacts.tags.add'?");
  });

  it('unknown trigger, at the trigger part of connection/trigger', () => {
    const error = leadsError('crm/contact.created', 'crm/contact.create');
    expect(error.code).toBe('CONFIG_UNKNOWN_TRIGGER');
    expect(error.message).toBe("pipelines/leads.yaml:4:18: unknown trigger 'contact.create' for connection 'crm' — did you mean 'contact.created'?");
    const mismatch = leadsError('crm/contact.created', 'crm/note.created');
    expect(mismatch.code).toBe('CONFIG_TRIGGER_MISMATCH');
    expect(mismatch.hint).toBe('use a trigger that yields contacts: crm/contact.created');
  });

  it('unknown target field, source field and match field', () => {
    const target = leadsError('firstName: first_name', 'frstName: first_name');
    expect(target.code).toBe('CONFIG_UNKNOWN_FIELD');
    expect(target.message).toBe("pipelines/leads.yaml:10:3: unknown field 'frstName' for action 'contacts.upsert' — did you mean 'firstName'?");
    const source = leadsError('firstName: first_name', 'firstName: frist_name');
    expect(source.message).toBe("pipelines/leads.yaml:10:14: unknown field 'frist_name' in stream 'contacts' — did you mean 'first_name'?");
    const nested = leadsError('address.city: address.city', 'address.city: adress.city');
    expect(nested.message).toBe("pipelines/leads.yaml:13:17: unknown field 'adress' in stream 'contacts' — did you mean 'address'?");
    const match = leadsError('match: [phone, email]', 'match: [phone, emal]');
    expect(match.message).toBe("pipelines/leads.yaml:8:66: match field 'emal' is not mapped — did you mean 'email'?");
  });

  it('bad where expression, at the column of the problem', () => {
    const error = leadsError(`where: "'customer' in tags"`, `where: "'customer' in tags and (name = 'x'"`);
    expect(error.code).toBe('CONFIG_BAD_EXPRESSION');
    // The expression starts at column 9; JSONata reports the end of it, where the ')' is missing.
    expect(error.message).toMatch(/^pipelines\/leads\.yaml:7:42: where: expression error at position 34/);
    const equals = leadsError(`where: "'customer' in tags"`, `where: "name = = 1"`);
    expect(equals.column).toBe(9 + 'name = '.length);
  });

  it('bad expr entry and bad convert in the field map', () => {
    const expression = leadsError('source: { const: crm }', 'source: { expr: "$uppercase(" }');
    expect(expression.code).toBe('CONFIG_BAD_EXPRESSION');
    expect(expression.message).toMatch(/^pipelines\/leads\.yaml:14:\d+: field 'source': expression error/);
    const convert = leadsError('convert: [trim, lowercase]', 'convert: [trim, lowercse]');
    expect(convert.code).toBe('CONFIG_BAD_FIELDMAP');
    expect(convert.message).toBe("pipelines/leads.yaml:12:3: field 'email': unknown convert 'lowercse' — did you mean 'lowercase'?");
  });

  it('missing environment variable', () => {
    const error = leadsError('name: leads', 'name: leads', { TAG: 'lead' });
    expect(error.code).toBe('CONFIG_MISSING_ENV');
    expect(error.message).toBe("pipelines/leads.yaml:6:62: environment variable LIMIT is not set (used by 'from.params.limit')");
    expect(error.hint).toMatch(/^export LIMIT=… or put it in \.env/);
  });

  it('a variable whose value has the wrong type, without showing the value', () => {
    const error = leadsError('name: leads', 'name: leads', { LIMIT: 'many-secret', TAG: 'lead' });
    expect(error.code).toBe('CONFIG_BAD_PARAMS');
    expect(error.message).toBe("pipelines/leads.yaml:6:61: 'from.params.limit' (from ${LIMIT}) must be an integer, not a string");
    expect(error.describeAll()).not.toContain('many-secret');
  });

  it('sync mode the stream does not support, unknown params and options', () => {
    const sync = errorOf(() =>
      parsePipeline('name: n\nfrom: { connection: crm, stream: notes, sync: incremental }\nto: { connection: chat, action: messages.send }\n', FILE, options),
    );
    expect(sync.code).toBe('CONFIG_UNSUPPORTED_SYNC');
    expect(sync.message).toBe("pipelines/leads.yaml:2:47: stream 'notes' of connection 'crm' does not support sync: incremental");
    expect(sync.hint).toBe('use sync: full (or leave sync out)');
    const param = leadsError('params: { limit', 'params: { limt');
    expect(param.code).toBe('CONFIG_UNKNOWN_PARAM');
    expect(param.message).toBe("pipelines/leads.yaml:6:54: unknown param 'limt' for stream 'contacts' — did you mean 'limit'?");
    const option = leadsError('with: { tags:', 'with: { tgs:');
    expect(option.code).toBe('CONFIG_UNKNOWN_OPTION');
    expect(option.message).toBe("pipelines/leads.yaml:16:42: unknown key 'tgs' in 'then[0].with' — did you mean 'tags'?");
    const none = leadsError('match: [phone, email] }', 'match: [phone, email], with: { upsert: true } }');
    expect(none.code).toBe('CONFIG_UNKNOWN_OPTION');
    expect(none.message).toBe("pipelines/leads.yaml:8:82: unknown key 'upsert' in 'to.with'");
  });

  it('accepts cron with seconds, and rejects values out of range', () => {
    expect(parsePipeline(LEADS.replace('"*/15 * * * *"', '"30 */15 * * * *"'), FILE, options).on[1]).toEqual({ schedule: '30 */15 * * * *' });
    expect(leadsError('"*/15 * * * *"', '"61 * * * *"').message).toMatch(/invalid schedule '61 \* \* \* \*': .*minute/i);
  });

  it('bad schedule', () => {
    const error = leadsError('"*/15 * * * *"', '"*/15 * * *"');
    expect(error.code).toBe('CONFIG_BAD_SCHEDULE');
    expect(error.message).toMatch(/^pipelines\/leads\.yaml:5:15: invalid schedule '\*\/15 \* \* \*': /);
  });

  it('carries every problem of the file, the first one thrown', () => {
    const error = errorOf(() =>
      parsePipeline(LEADS.replace('stream: contacts', 'stream: contact').replace('action: contacts.tags.add', 'action: nope'), FILE, options),
    );
    expect(error.code).toBe('CONFIG_UNKNOWN_STREAM');
    expect(error.others.map((other) => other.code)).toEqual(['CONFIG_UNKNOWN_ACTION']);
    expect(error.describeAll().split('\n')).toHaveLength(4);
  });
});

describe('loadPipelines', () => {
  it('loads every file of the project and rejects a name used twice', () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ferry-pipelines-')));
    try {
      mkdirSync(join(dir, 'pipelines'));
      const pipeline = (name: string) => `name: ${name}\nfrom: { connection: crm, stream: contacts }\nto: { connection: chat, action: messages.send }\n`;
      writeFileSync(join(dir, 'pipelines', 'a.yaml'), pipeline('one'));
      writeFileSync(join(dir, 'pipelines', 'b.yaml'), pipeline('two'));
      const text = 'connections:\n  crm: { connector: crm, config: { baseUrl: "http://x" }, auth: { token: t } }\n  chat: { connector: chat, auth: { token: t } }\n';
      writeFileSync(join(dir, 'ferry.yaml'), text);
      const project = parseProject(text, join(dir, 'ferry.yaml'), { registry: testRegistry, env: {} });
      expect(loadPipelines(project, testRegistry, {}).map((spec) => spec.name)).toEqual(['one', 'two']);
      expect(loadPipeline(join(dir, 'pipelines', 'a.yaml'), { project, registry: testRegistry, env: {} }).file).toBe(join(dir, 'pipelines', 'a.yaml'));

      writeFileSync(join(dir, 'pipelines', 'c.yaml'), pipeline('one'));
      const duplicate = errorOf(() => loadPipelines(parseProject(text, join(dir, 'ferry.yaml'), { registry: testRegistry, env: {} }), testRegistry, {}));
      expect(duplicate.code).toBe('CONFIG_DUPLICATE_PIPELINE');
      expect(duplicate.message).toBe(`${join(dir, 'pipelines', 'c.yaml')}:1:1: pipeline name 'one' is already used by ${join(dir, 'pipelines', 'a.yaml')}:1`);

      writeFileSync(join(dir, 'pipelines', 'c.yaml'), 'name: three\nfrom: { connection: nope, stream: contacts }\nto: { connection: chat, action: messages.send }\n');
      writeFileSync(join(dir, 'pipelines', 'd.yaml'), 'name: [four]\n');
      const many = errorOf(() => loadPipelines(parseProject(text, join(dir, 'ferry.yaml'), { registry: testRegistry, env: {} }), testRegistry, {}));
      expect(many.code).toBe('CONFIG_UNKNOWN_CONNECTION');
      expect(many.message).toMatch(/c\.yaml:2:21: unknown connection 'nope'/);
      expect(many.others.map((other) => [other.code, other.file])).toEqual([
        ['CONFIG_SCHEMA', join(dir, 'pipelines', 'd.yaml')],
        ['CONFIG_SCHEMA', join(dir, 'pipelines', 'd.yaml')],
        ['CONFIG_SCHEMA', join(dir, 'pipelines', 'd.yaml')],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
