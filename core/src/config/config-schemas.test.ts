import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDocument } from './load-document.js';
import { configFileValidators, configSchemaPath, readSchemaFile, type ConfigFileKind } from './schema-validators.js';

const KINDS: readonly ConfigFileKind[] = ['pipeline', 'ferry'];

/** Every `properties` member of a schema, with its path, wherever it is nested. */
function propertiesOf(schema: unknown, path = '#'): { path: string; schema: Record<string, unknown> }[] {
  if (schema === null || typeof schema !== 'object') return [];
  if (Array.isArray(schema)) return schema.flatMap((item, index) => propertiesOf(item, `${path}/${index}`));
  const found: { path: string; schema: Record<string, unknown> }[] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties' && value !== null && typeof value === 'object') {
      for (const [name, property] of Object.entries(value)) {
        found.push({ path: `${path}/properties/${name}`, schema: property as Record<string, unknown> });
        found.push(...propertiesOf(property, `${path}/properties/${name}`));
      }
    } else {
      found.push(...propertiesOf(value, `${path}/${key}`));
    }
  }
  return found;
}

describe('config/*.schema.json', () => {
  it.each(KINDS)('%s schema compiles with ajv in strict mode and describes its top-level keys for editors', (kind) => {
    expect(() => configFileValidators(kind)).not.toThrow();
    const schema = readSchemaFile(kind);
    expect(schema['$schema']).toBe('http://json-schema.org/draft-07/schema#');
    expect(typeof schema['title']).toBe('string');
    const undocumented = propertiesOf(schema)
      .filter(({ path }) => path.split('/properties/').length === 2)
      .filter(({ schema: property }) => typeof property['description'] !== 'string')
      .map(({ path }) => path);
    expect(undocumented).toEqual([]);
  });

  it('accepts config/ferry.example.yaml, which points editors at the schema', () => {
    const example = resolve(dirname(configSchemaPath('ferry')), 'ferry.example.yaml');
    const text = readFileSync(example, 'utf8');
    const modeline = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
    expect(modeline?.[1]).toBeDefined();
    expect(existsSync(resolve(dirname(example), modeline?.[1] ?? ''))).toBe(true);
    const loaded = loadDocument(text, example, 'ferry', {
      GHL_LOCATION_ID: 'loc',
      GHL_CLIENT_ID: 'client',
      GHL_CLIENT_SECRET: 'secret',
      GHL_REPORTS_LOCATION_ID: 'loc2',
      GHL_REPORTS_TOKEN: 'token',
      SALESMSG_ACCOUNT_ID: '1001',
      SALESMSG_WEBHOOK_SECRET: '0123456789abcdef',
      SALESMSG_TOKEN: 'token',
    });
    expect(loaded.value).toMatchObject({
      store: './ferry.db',
      connections: {
        ghl: { connector: 'ghl', auth: { kind: 'oauth2', clientId: 'client', clientSecret: 'secret' } },
        'ghl-reports': { connector: 'ghl', auth: { kind: 'bearer', token: 'token', scopes: ['contacts.readonly'] } },
        salesmsg: { connector: 'salesmsg', auth: { kind: 'bearer', token: 'token' } },
        warehouse: { connector: 'sqlite' },
      },
      serve: { host: '127.0.0.1', port: 8787, rotate: '17 3 * * *' },
    });
  });

  it('accepts the pipeline of the design notes', () => {
    const text = `name: salesmsg-leads-to-ghl
on:
  - webhook: salesmsg/contact.created
  - schedule: "*/15 * * * *"
from: { connection: salesmsg, stream: contacts, sync: incremental }
where: "'customer' in tags.label"
to:   { connection: ghl, action: contacts.upsert, match: [phone, email] }
map:
  firstName: first_name
  phone: { from: number, convert: phone-e164 }
  email: { from: email, convert: lowercase }
  source: { const: Salesmsg }
then:
  - { action: contacts.tags.add, with: { tags: [salesmsg-lead] } }
`;
    const loaded = loadDocument(text, 'pipelines/salesmsg-leads-to-ghl.yaml', 'pipeline', {});
    expect(loaded.value).toMatchObject({ name: 'salesmsg-leads-to-ghl', to: { match: ['phone', 'email'] } });
  });
});
