import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readPipelineText, renderPipeline } from './pipeline-document.js';

const FILE = `# Contacts into the warehouse.
name: contacts-to-warehouse
from: { connection: source, stream: records, sync: incremental }
where: "status != 'unsubscribed'" # keep the subscribed
to:
  connection: warehouse
  action: upsert
  with: { table: contacts }
map:
  id: id
  # the person's name
  name: { expr: "first_name & ' ' & last_name" }
  phone: phone # as typed
concurrency: 2
then:
  - { action: upsert, with: { table: audit } }
`;

describe('renderPipeline', () => {
  it('gives back the same text when the draft is unchanged', () => {
    const { draft, errors } = readPipelineText(FILE);
    expect(errors).toEqual([]);
    expect(renderPipeline(FILE, draft)).toBe(FILE);
  });

  it('changes only the edited entries: comments, order, style and untouched keys survive', () => {
    const { draft } = readPipelineText(FILE);
    const text = renderPipeline(FILE, {
      ...draft,
      map: { ...draft.map, phone: { from: 'phone', convert: 'phone-e164' }, email: { from: 'email', convert: ['trim', 'email'] } },
    });
    expect(text).toContain('# Contacts into the warehouse.');
    expect(text).toContain("# the person's name\n  name: { expr: \"first_name & ' ' & last_name\" }");
    expect(text).toContain('phone: { from: phone, convert: phone-e164 } # as typed');
    expect(text).toContain('email: { from: email, convert: [ trim, email ] }');
    expect(text).toContain('to:\n  connection: warehouse\n  action: upsert\n');
    expect(text).toContain('concurrency: 2\nthen:\n  - { action: upsert, with: { table: audit } }');
    const keys = Object.keys(parse(text) as Record<string, unknown>);
    expect(keys).toEqual(['name', 'from', 'where', 'to', 'map', 'concurrency', 'then']);
    expect(Object.keys((parse(text) as { map: object }).map)).toEqual(['id', 'name', 'phone', 'email']);
  });

  it('removes what the draft drops and places new top-level keys in the usual order', () => {
    const { draft } = readPipelineText(FILE);
    const { where: _where, ...rest } = draft;
    const text = renderPipeline(FILE, { ...rest, description: 'Cleans contacts.', map: { id: 'id' } });
    const data = parse(text) as Record<string, unknown>;
    expect(data['where']).toBeUndefined();
    expect(data['map']).toEqual({ id: 'id' });
    expect(Object.keys(data).slice(0, 3)).toEqual(['name', 'description', 'from']);
  });

  it('writes a new file with from/to on one line each and a block map', () => {
    const text = renderPipeline(
      undefined,
      { name: 'new-one', from: { connection: 'source', stream: 'records' }, to: { connection: 'warehouse', action: 'upsert' }, map: { email: { from: 'email', convert: 'email' } } },
      { schemaHint: '../config/pipeline.schema.json' },
    );
    expect(text).toBe(
      '# yaml-language-server: $schema=../config/pipeline.schema.json\n\nname: new-one\nfrom: { connection: source, stream: records }\nto: { connection: warehouse, action: upsert }\nmap:\n  email: { from: email, convert: email }\n',
    );
  });

  it('keeps ${VAR} references as written and quotes values that need it', () => {
    const source = 'name: x\nfrom: { connection: a, stream: b, params: { id: "${CONTACT}" } }\nto: { connection: c, action: d }\nmap:\n  a: b\n';
    const { draft } = readPipelineText(source);
    const text = renderPipeline(source, { ...draft, map: { a: 'b', note: { const: 'yes: really' }, n: { const: '42' } } });
    expect(text).toContain('params: { id: "${CONTACT}" }');
    expect(parse(text)).toMatchObject({ map: { note: { const: 'yes: really' }, n: { const: '42' } } });
  });
});

describe('readPipelineText', () => {
  it('reports YAML syntax errors with their position', () => {
    const { errors } = readPipelineText('name: x\nmap:\n  a: [b\n');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.line).toBeGreaterThanOrEqual(3);
  });
});
