import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { parsePipeline } from './pipeline-loader.js';
import { testProject, testRegistry } from './test-connectors.js';

const options = { project: testProject(), registry: testRegistry, env: {} };

const ENRICH = `name: enrich
from:
  connection: crm
  stream: contacts
  byId: { stream: contacts, param: contactId }
when: { became: "'customer' in tags" }
skipEchoes: true
to: { connection: crm, action: contacts.upsert, requireLink: true }
map: { firstName: first_name }
then:
  - { action: contacts.tags.add, link: true, with: { tags: [vip] } }
include:
  - stream: notes
    where: "$parent.id != null"
    map: { firstName: body }
    to: { connection: crm, action: contacts.upsert }
    prune: { action: contacts.tags.add }
`;

describe('pipeline keys for links and child streams', () => {
  it('loads include, when, skipEchoes, byId, requireLink and then[].link into the spec', () => {
    const spec = parsePipeline(ENRICH, 'pipelines/enrich.yaml', options);
    expect(spec.from.byId).toEqual({ stream: 'contacts', param: 'contactId' });
    expect(spec.when).toEqual({ became: "'customer' in tags" });
    expect(spec.skipEchoes).toBe(true);
    expect(spec.to).toMatchObject({ requireLink: true });
    expect(spec.then[0]).toMatchObject({ connection: 'crm', action: 'contacts.tags.add', link: true });
    expect(spec.include).toEqual([
      {
        stream: 'notes',
        where: '$parent.id != null',
        map: { firstName: 'body' },
        to: { connection: 'crm', action: 'contacts.upsert' },
        prune: { connection: 'crm', action: 'contacts.tags.add' },
      },
    ]);
  });

  it('names the file, line and column of an unknown child stream, action or link stream', () => {
    const broken = ENRICH.replace('- stream: notes', '- stream: note').replace('prune: { action: contacts.tags.add }', 'prune: { action: contacts.delete }');
    let error: unknown;
    try {
      parsePipeline(`${broken.replace('to: { connection: crm, action: contacts.upsert, requireLink: true }', 'to: { connection: crm, action: contacts.upsert, link: { stream: contact, id: id } }')}`, 'pipelines/enrich.yaml', options);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const all = [error as ConfigError, ...(error as ConfigError).others].map((problem) => `${problem.line}:${problem.column} ${problem.code} ${problem.reason}`);
    expect(all).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^8:\d+ CONFIG_UNKNOWN_STREAM unknown stream 'contact'/),
        expect.stringMatching(/^13:\d+ CONFIG_UNKNOWN_STREAM unknown stream 'note' .*did you mean 'notes'/),
        expect.stringMatching(/^17:\d+ CONFIG_UNKNOWN_ACTION unknown action 'contacts.delete'/),
      ]),
    );
  });

  it('refuses a when without became and a then link that is not a boolean (schema)', () => {
    expect(() => parsePipeline(ENRICH.replace('when: { became: "\'customer\' in tags" }', 'when: { since: x }'), 'p.yaml', options)).toThrow(ConfigError);
    expect(() => parsePipeline(ENRICH.replace('link: true', 'link: yes please'), 'p.yaml', options)).toThrow(ConfigError);
  });
});
