import {
  FerryError,
  createContextFactory,
  createPartitionDirectory,
  partitionView,
  resolveStream,
  type ConnectorRegistry,
  type JsonRecord,
  type Logger,
  type ProjectSpec,
  type Store,
  type TokenVault,
  type UnitRuntime,
} from '@ferry/core';
import type { PartitionOption } from '../shared/api-types.js';
import { chooseSourcePartition, partitionOption } from './source-partition.js';

export interface SampleSource {
  readonly connection: string;
  readonly stream: string;
  readonly params?: Readonly<Record<string, unknown>> | undefined;
  /** For a partitioned connection: the partition to read in (default: its first). */
  readonly partition?: string | undefined;
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
  /** Present when the connection is partitioned: its partitions, and the one the records were read in. */
  readonly partitions?: readonly PartitionOption[];
  readonly partition?: string;
}

/**
 * Reads the first records of a stream through the same context factory a run uses (its limiter, its retries, its
 * tokens): a read from the start, with no checkpoint, so that a preview shows records even when the stream is
 * synced. A partitioned connection is read as one of its partitions (a GHL location: its locationId, its token,
 * its rate budget), exactly as that partition's run reads it. Samples are kept for a while, so that editing a map
 * does not call the source again.
 */
export class SampleReader {
  readonly #options: SampleReaderOptions;
  readonly #cache = new Map<string, { at: number; sample: Promise<Sample> }>();

  constructor(options: SampleReaderOptions) {
    this.#options = options;
  }

  read(project: ProjectSpec, source: SampleSource, limit: number, refresh: boolean): Promise<Sample> {
    const key = JSON.stringify([project.connections[source.connection] ?? null, source.partition ?? '', source.stream, source.params ?? {}, limit]);
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
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new FerryError('STUDIO_SAMPLE_TIMEOUT', 'reading the sample took longer than 60 s', { hint: 'check that the source answers; try again with fewer records' })), 60_000);
    timer.unref();
    const runtime: UnitRuntime = {
      project,
      registry,
      store: this.#options.store,
      ...(this.#options.vault === undefined ? {} : { vault: this.#options.vault }),
      log: this.#options.log,
      signal: controller.signal,
      ...(this.#options.env === undefined ? {} : { env: this.#options.env }),
      ...(this.#options.timeScale === undefined ? {} : { timeScale: this.#options.timeScale }),
    };
    // Discovered partitions mint their tokens through the directory's context: it stays open until the read ends.
    const directory = createPartitionDirectory(runtime);
    try {
      const partitions = await directory.partitionsOf(source.connection);
      const partition = chooseSourcePartition(source.connection, partitions, source.partition);
      const stream = resolveStream(raw, partition === undefined ? connection.config : partitionView(connection, partition).config);
      const factory = createContextFactory({ ...runtime, ...(partition === undefined ? {} : { partitions: { [source.connection]: partition } }) });
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
        await factory.close();
      }
      return {
        records,
        primaryKey: stream.primaryKey,
        ...(partitions === undefined || partition === undefined ? {} : { partitions: partitions.map(partitionOption), partition: partition.id }),
      };
    } finally {
      clearTimeout(timer);
      await directory.close();
    }
  }
}
