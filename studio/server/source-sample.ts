import {
  FerryError,
  createContextFactory,
  resolveStream,
  type ConnectorRegistry,
  type JsonRecord,
  type Logger,
  type ProjectSpec,
  type Store,
  type TokenVault,
} from '@ferry/core';

export interface SampleSource {
  readonly connection: string;
  readonly stream: string;
  readonly params?: Readonly<Record<string, unknown>> | undefined;
}

export interface SampleReaderOptions {
  readonly registry: ConnectorRegistry;
  readonly store: Store;
  readonly vault?: TokenVault | undefined;
  readonly log: Logger;
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  readonly timeScale?: number | undefined;
  /** How long a sample is reused before the source is read again (the preview re-renders on every edit). */
  readonly ttlMs?: number;
}

export interface Sample {
  readonly records: readonly JsonRecord[];
  readonly primaryKey: string;
}

/**
 * Reads the first records of a stream through the same context factory a run uses (its limiter, its retries, its
 * tokens): a read from the start, with no checkpoint, so that a preview shows records even when the stream is
 * synced. Samples are kept for a while, so that editing a map does not call the source again.
 */
export class SampleReader {
  readonly #options: SampleReaderOptions;
  readonly #cache = new Map<string, { at: number; sample: Promise<Sample> }>();

  constructor(options: SampleReaderOptions) {
    this.#options = options;
  }

  read(project: ProjectSpec, source: SampleSource, limit: number, refresh: boolean): Promise<Sample> {
    const key = JSON.stringify([project.connections[source.connection] ?? null, source.stream, source.params ?? {}, limit]);
    const ttl = this.#options.ttlMs ?? 5 * 60_000;
    const cached = this.#cache.get(key);
    if (!refresh && cached !== undefined && Date.now() - cached.at < ttl) return cached.sample;
    // Shared by later previews, so a read is not tied to the request that started it.
    const sample = this.#readFresh(project, source, limit);
    this.#cache.set(key, { at: Date.now(), sample });
    sample.catch(() => this.#cache.delete(key));
    return sample;
  }

  async #readFresh(project: ProjectSpec, source: SampleSource, limit: number): Promise<Sample> {
    const { registry } = this.#options;
    const connection = project.connections[source.connection];
    if (connection === undefined) {
      throw new FerryError('STUDIO_UNKNOWN_CONNECTION', `no connection '${source.connection}' in ${project.file}`, {
        hint: `pick one of: ${Object.keys(project.connections).join(', ') || '(none: add one to ferry.yaml)'}`,
      });
    }
    const connector = registry.get(connection.connector);
    const raw = connector?.streams.find((stream) => stream.name === source.stream);
    if (connector === undefined || raw === undefined) {
      throw new FerryError('STUDIO_UNKNOWN_STREAM', `connection '${source.connection}' has no stream '${source.stream}'`, {
        hint: `streams: ${connector?.streams.map((stream) => stream.name).join(', ') ?? '(connector not installed)'}`,
      });
    }
    const stream = resolveStream(raw, connection.config);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new FerryError('STUDIO_SAMPLE_TIMEOUT', 'reading the sample took longer than 60 s', { hint: 'check that the source answers; try again with fewer records' })), 60_000);
    timer.unref();
    const factory = createContextFactory({
      project,
      registry,
      store: this.#options.store,
      ...(this.#options.vault === undefined ? {} : { vault: this.#options.vault }),
      log: this.#options.log,
      signal: controller.signal,
      ...(this.#options.env === undefined ? {} : { env: this.#options.env }),
      ...(this.#options.timeScale === undefined ? {} : { timeScale: this.#options.timeScale }),
    });
    const records: JsonRecord[] = [];
    try {
      const context = factory.context(source.connection);
      const mode = stream.syncModes.includes('full') ? 'full' : (stream.syncModes[0] ?? 'full');
      for await (const page of stream.read(context, { mode, state: undefined, params: source.params ?? {} })) {
        for (const record of page.records) {
          if (records.length >= limit) break;
          records.push(record);
        }
        if (records.length >= limit) break;
      }
    } finally {
      clearTimeout(timer);
      await factory.close();
    }
    return { records, primaryKey: stream.primaryKey };
  }
}
