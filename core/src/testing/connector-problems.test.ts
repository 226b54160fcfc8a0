import { describe, expect, it } from 'vitest';
import { defineConnector, type ConnectorDef, type StreamDef } from '../contract/connector.js';
import type { SandboxLoader } from '../contract/sandbox.js';
import { connectorProblems } from './connector-problems.js';
import { memoryConnector } from './memory-connector.fixture.js';

const good = memoryConnector();
const [items] = good.streams;

function variant(change: Partial<ConnectorDef>): ConnectorDef {
  return { ...good, ...change };
}

function stream(change: Partial<StreamDef>): StreamDef {
  if (items === undefined) throw new Error('memory connector has no stream');
  return { ...items, ...change };
}

describe('connectorProblems', () => {
  it('finds nothing wrong with a sane connector', () => {
    expect(connectorProblems(good, { config: { pageSize: 2 } })).toEqual([]);
  });

  it('reports a sandbox given as a definition instead of a loader', () => {
    const sandbox = { create: () => ({ handlers: [], snapshot: () => ({}), setFaults: () => undefined, stats: () => ({}) }) };
    expect(connectorProblems(variant({ sandbox: sandbox as unknown as SandboxLoader }))).toEqual(['sandbox is not a function (a loader of the sandbox)']);
    expect(connectorProblems(variant({ sandbox: () => Promise.resolve(sandbox) }))).toEqual([]);
  });

  it('reports bad names, versions and config schemas', () => {
    expect(connectorProblems(variant({ name: 'My Connector', version: 'v1', configSchema: { type: 'object' } }))).toEqual([
      "name 'My Connector' must be lower-case letters, digits and dashes",
      "version 'v1' is not semver (like 1.2.3)",
      'configSchema must set additionalProperties: false (so typos in ferry.yaml are caught)',
    ]);
  });

  it('reports duplicate names, schemas that do not compile, and incremental streams without a cursor', () => {
    const problems = connectorProblems(
      variant({
        streams: [stream({}), stream({ schema: { type: 'object', propertees: {} } }), stream({ name: 'other', cursorField: undefined as unknown as string })],
      }),
    );
    expect(problems).toContain("stream name 'items' is used twice");
    expect(problems.some((p) => p.startsWith("stream 'items': record schema does not compile: strict mode: unknown keyword: \"propertees\""))).toBe(true);
    expect(problems).toContain("stream 'other': supports incremental sync but has no cursorField");
  });

  it('reports a primary key outside a closed schema, and triggers or children pointing at missing streams', () => {
    const problems = connectorProblems(
      variant({
        streams: [stream({ primaryKey: 'uuid' }), stream({ name: 'notes', parent: { stream: 'contacts', param: 'contactId', from: 'id' } })],
        triggers: [{ name: 'x.created', description: 'x', kind: 'webhook', stream: 'nowhere' }],
      }),
    );
    expect(problems).toContain("stream 'items': primaryKey 'uuid' is not a property of its closed record schema");
    expect(problems).toContain("stream 'notes': parent stream 'contacts' does not exist");
    expect(problems).toContain("trigger 'x.created': stream 'nowhere' does not exist");
    expect(problems).toContain("trigger 'x.created': a webhook trigger needs parse()");
  });

  it('requires scopes of connectors that authenticate, and that every scope used is declared', () => {
    const bearer = defineConnector({ ...good, auth: [{ kind: 'bearer', label: 'API key' }] });
    expect(connectorProblems(bearer)).toContain('the connector has auth other than none but declares no scopes');
    const scoped = defineConnector({ ...bearer, scopes: { read: ['items.readonly'], write: ['items.write'] }, streams: [stream({ scope: 'items.read' })] });
    const problems = connectorProblems(scoped);
    expect(problems).toContain("stream 'items': scope 'items.read' is not in the connector's scopes (read/write)");
    expect(problems).toContain("action 'items.upsert': declares no scope although the connector has scopes");
  });

  it('checks the shape a stream takes for a config', () => {
    const shaped = variant({ streams: [stream({ shapeFor: () => ({ primaryKey: 'email' }) })] });
    expect(connectorProblems(shaped)).toEqual([]);
    expect(connectorProblems(shaped, { config: {} })).toContain("stream 'items' (for the valid config): primaryKey 'email' is not a property of its closed record schema");
  });
});
