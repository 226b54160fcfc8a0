import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinConnectors } from '@ferry/connector-builtin';
import { ghl } from '@ferry/connector-ghl';
import {
  ConfigError,
  createConnectorRegistry,
  createPartitionDirectory,
  expandPipeline,
  isFerryError,
  openSqliteStore,
  parsePipeline,
  parseProject,
  unitProject,
  type Logger,
  type ProjectSpec,
} from '@ferry/core';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'ferry-partitions-config-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const registry = createConnectorRegistry([...builtinConnectors, ghl]);
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => quiet };

function project(text: string): ProjectSpec {
  return parseProject(text, join(dir, 'ferry.yaml'), { registry, env: { A_TOKEN: 'token-a', B_TOKEN: 'token-b', PAGE: '50' } });
}

function problems(run: () => unknown): ConfigError[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return [error, ...error.others];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const GHL = `connections:
  crm:
    connector: ghl
    config: { baseUrl: "http://127.0.0.1:9" }
    partitions:
`;

describe('connection partitions in ferry.yaml', () => {
  it('loads a list of partitions: ids, labels, config overrides checked merged, and their own tokens', () => {
    const spec = project(`${GHL}      - { id: loc-a, label: Downtown, config: { locationId: locA }, auth: { token: "\${A_TOKEN}", scopes: [contacts.readonly] } }
      - { id: loc-b, config: { locationId: locB, searchPageLimit: "\${PAGE}" }, auth: { token: "\${B_TOKEN}" } }
`);
    const crm = spec.connections['crm'];
    expect(crm?.config).toEqual({ baseUrl: 'http://127.0.0.1:9' });
    expect(crm?.partitions).toEqual([
      { id: 'loc-a', label: 'Downtown', config: { locationId: 'locA' }, auth: { kind: 'bearer', token: 'token-a', scopes: ['contacts.readonly'] } },
      // Coerced to the connector's types like the connection's own config.
      { id: 'loc-b', config: { locationId: 'locB', searchPageLimit: 50 }, auth: { kind: 'bearer', token: 'token-b' } },
    ]);
  });

  it('reports duplicate ids, unknown keys and configs the connector rejects, each naming its partition and place', () => {
    const found = problems(() =>
      project(`${GHL}      - { id: loc-a, config: { locationId: locA } }
      - { id: loc-a, config: { locationId: locB } }
      - { id: loc-c, config: { locationID: locC } }
      - { id: loc-d, config: { searchPageLimit: 9000 } }
    auth: { token: x }
`),
    );
    const described = found.map((p) => [p.code, p.line, p.reason]);
    expect(described).toEqual(
      expect.arrayContaining([
        ['CONFIG_DUPLICATE_PARTITION', 7, "partition 'loc-a' of connection 'crm' is listed twice (first on line 6)"],
        ['CONFIG_UNKNOWN_KEY', 8, expect.stringMatching(/^partition 'loc-c' of connection 'crm': unknown key 'locationID'.*did you mean 'locationId'/)],
        ['CONFIG_BAD_CONNECTION', 9, expect.stringMatching(/^partition 'loc-d' of connection 'crm': .*is missing 'locationId'/)],
        ['CONFIG_BAD_CONNECTION', 9, expect.stringMatching(/^partition 'loc-d' of connection 'crm': .*searchPageLimit' must be <= 500/)],
      ]),
    );
    expect(found).toHaveLength(4);
    expect(found.every((p) => p.file.endsWith('ferry.yaml') && p.hint !== undefined)).toBe(true);
    // The file's own schema: an unknown key of a partition, and an id that could not name a checkpoint.
    const shape = problems(() => project(`${GHL}      - { id: loc-e, conifg: { locationId: locE } }\n      - { id: "a b", config: { locationId: x } }\n    auth: { token: x }\n`));
    expect(shape.map((p) => [p.code, p.line])).toEqual([
      ['CONFIG_UNKNOWN_KEY', 6],
      ['CONFIG_SCHEMA', 7],
    ]);
    expect(shape[0]?.reason).toContain("did you mean 'config'");
  });

  it('refuses discover for a connector without discovery, oauth2 in a partition, and a connection without any token', () => {
    const discover = problems(() => project('connections:\n  files:\n    connector: jsonl\n    config: { path: a.jsonl }\n    partitions: discover\n'));
    expect(discover.map((p) => [p.code, p.line])).toEqual([['CONFIG_BAD_PARTITIONS', 5]]);
    expect(discover[0]?.message).toContain("connector 'jsonl' cannot discover partitions");

    const oauth = problems(() => project(`${GHL}      - { id: loc-a, config: { locationId: locA }, auth: { clientId: id, clientSecret: secret } }\n`));
    expect(oauth.map((p) => p.code)).toContain('CONFIG_BAD_AUTH');
    expect(oauth.find((p) => p.code === 'CONFIG_BAD_AUTH')?.reason).toContain("partition 'loc-a' of connection 'crm' has oauth2 auth");

    // One partition without a token of its own: the connection must have one.
    const noToken = problems(() => project(`${GHL}      - { id: loc-a, config: { locationId: locA }, auth: { token: a } }\n      - { id: loc-b, config: { locationId: locB } }\n`));
    expect(noToken.map((p) => p.code)).toEqual(['CONFIG_BAD_AUTH']);
  });

  it('accepts discover on a GHL agency connection whose config has no locationId', () => {
    const spec = project('connections:\n  agency:\n    connector: ghl\n    config: { companyId: c1, appId: app1 }\n    auth: { token: t }\n    partitions: discover\n');
    expect(spec.connections['agency']?.partitions).toBe('discover');
  });
});

describe('pipelines over partitioned connections', () => {
  const spec = project(`connections:
  crm:
    connector: ghl
    config: { baseUrl: "http://127.0.0.1:9" }
    auth: { token: shared }
    partitions:
      - { id: loc-a, config: { locationId: locA } }
      - { id: loc-b, config: { locationId: locB }, auth: { token: own-b } }
  other:
    connector: ghl
    config: { baseUrl: "http://127.0.0.1:9" }
    auth: { token: other }
    partitions:
      - { id: main, config: { locationId: locMain } }
  warehouse: { connector: sqlite, config: { path: w.db } }
  files: { connector: jsonl, config: { path: a.jsonl } }
`);
  const pipeline = (to: string, extra = '') =>
    parsePipeline(`name: p\nfrom: { connection: crm, stream: contacts }\nto: ${to}\nmap: { email: email }\n${extra}`, join(dir, 'p.yaml'), { project: spec, registry });

  it('needs to.partition for another partitioned destination, and checks it', () => {
    expect(problems(() => pipeline('{ connection: other, action: contacts.upsert }')).map((p) => [p.code, p.line])).toEqual([['CONFIG_PARTITION_REQUIRED', 3]]);
    const typo = problems(() => pipeline('{ connection: other, action: contacts.upsert, partition: mian }'));
    expect(typo.map((p) => p.code)).toEqual(['CONFIG_UNKNOWN_PARTITION']);
    expect(typo[0]?.reason).toContain("did you mean 'main'");
    expect(problems(() => pipeline('{ connection: warehouse, action: upsert, partition: main }')).map((p) => p.code)).toEqual(['CONFIG_BAD_PARTITIONS']);
    expect(problems(() => pipeline('{ connection: crm, action: contacts.upsert, partition: loc-a }')).map((p) => p.code)).toEqual(['CONFIG_BAD_PARTITIONS']);
    expect(pipeline('{ connection: other, action: contacts.upsert, partition: main }').to.partition).toBe('main');
  });

  it('expands into one unit per partition (or the one asked for), each with its partition\'s config and token', async () => {
    const store = openSqliteStore(join(dir, 'units.db'));
    const directory = createPartitionDirectory({ project: spec, registry, store, log: quiet });
    try {
      const p = pipeline('{ connection: other, action: contacts.upsert, partition: main }');
      const units = await expandPipeline(p, directory);
      expect(units.map((u) => [u.partition, Object.keys(u.connections).sort()])).toEqual([
        ['loc-a', ['crm', 'other']],
        ['loc-b', ['crm', 'other']],
      ]);
      const [a, b] = units.map((u) => unitProject(spec, u).connections);
      expect([a?.['crm']?.config['locationId'], a?.['crm']?.auth.token, a?.['other']?.config['locationId']]).toEqual(['locA', 'shared', 'locMain']);
      expect([b?.['crm']?.config['locationId'], b?.['crm']?.auth.token]).toEqual(['locB', 'own-b']);

      expect((await expandPipeline(p, directory, { partition: 'loc-b' })).map((u) => u.partition)).toEqual(['loc-b']);
      const unknown: unknown = await expandPipeline(p, directory, { partition: 'loc-c' }).catch((error: unknown) => error);
      expect(isFerryError(unknown) && [unknown.code, unknown.message]).toEqual([
        'CONFIG_UNKNOWN_PARTITION',
        "connection 'crm' has no partition 'loc-c' (--partition of pipeline 'p') — did you mean 'loc-a'?",
      ]);
      const unpartitioned = parsePipeline('name: q\nfrom: { connection: files, stream: records }\nto: { connection: warehouse, action: upsert }\n', join(dir, 'q.yaml'), { project: spec, registry });
      expect(await expandPipeline(unpartitioned, directory)).toEqual([{ pipeline: unpartitioned, partition: '', connections: {} }]);
    } finally {
      await directory.close();
      store.close();
    }
  });
});
