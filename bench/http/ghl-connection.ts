import {
  createContextFactory,
  type ConnectorContext,
  type ContextFactory,
  type HttpClient,
  type KeyValueStore,
  type Logger,
  type StreamDef,
} from '@ferry/core';
import { ghl } from '@ferry/connector-ghl';
import { SANDBOX_LOCATION_ID, sandboxTokens } from '@ferry/connector-ghl/sandbox';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };

function memoryStore(): KeyValueStore {
  const rows = new Map<string, string>();
  return { getValue: (ns, key) => rows.get(`${ns}/${key}`), setValue: (ns, key, value) => void rows.set(`${ns}/${key}`, value) };
}

/**
 * The runtime's contexts for one `ghl` connection to a sandbox, as a pipeline run builds them from ferry.yaml: the
 * connector's HTTP profile, the sandbox location's token, the shared limiter of (ghl, location) at `timeScale`.
 */
export function ghlContexts(baseUrl: string, timeScale: number, signal: AbortSignal): ContextFactory {
  return createContextFactory({
    project: {
      file: '/bench/ferry.yaml',
      baseDir: process.cwd(),
      store: ':memory:',
      connections: {
        ghl: {
          name: 'ghl',
          connector: 'ghl',
          config: { locationId: SANDBOX_LOCATION_ID, baseUrl },
          auth: { kind: 'bearer', token: sandboxTokens(SANDBOX_LOCATION_ID).full },
        },
      },
      pipelineFiles: [],
      serve: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
    },
    registry: new Map([['ghl', ghl]]),
    store: memoryStore(),
    log: silent,
    signal,
    timeScale,
    env: {},
  });
}

/** The connection's context with its HTTP client wrapped by `wrap` (and a fresh per-run cache). */
export function withHttp(ctx: ConnectorContext, wrap: (http: HttpClient) => HttpClient): ConnectorContext {
  return { ...ctx, http: wrap(ctx.http), cache: new Map() };
}

export function ghlStream(name: string): StreamDef {
  const stream = ghl.streams.find((s) => s.name === name);
  if (stream === undefined) throw new Error(`the GHL connector has no stream '${name}'`);
  return stream;
}
