import type { Page } from '../contract/connector.js';
import { resolveStream } from '../contract/connector.js';
import { FerryError } from '../errors/ferry-error.js';
import { didYouMeanSuffix } from '../util/did-you-mean.js';
import type { CompiledPipeline } from './compile-pipeline.js';
import type { RunPipelineOptions } from './run-types.js';

/**
 * `from.byId: { stream: contact, param: contactId }`: a run given that param (`--param contactId=…`) reads the
 * one record through the by-id stream instead of the pipeline's stream; everything after the read is the same.
 * Undefined when the pipeline has no `byId` or the run was not given its param.
 */
export function byIdPages(
  options: Pick<RunPipelineOptions, 'pipeline' | 'registry' | 'connections'>,
  compiled: CompiledPipeline,
  params: Readonly<Record<string, unknown>>,
): (() => AsyncIterable<Page>) | undefined {
  const byId = options.pipeline.from.byId;
  if (byId === undefined || params[byId.param] === undefined || params[byId.param] === '') return undefined;
  const connectorName = options.connections[options.pipeline.from.connection]?.connector;
  const connector = connectorName === undefined ? undefined : options.registry.get(connectorName);
  const declared = connector?.streams.find((stream) => stream.name === byId.stream);
  if (declared === undefined) {
    const names = connector?.streams.map((stream) => stream.name) ?? [];
    throw new FerryError('CONFIG_UNKNOWN_STREAM', `${options.pipeline.file}: from.byId names unknown stream '${byId.stream}'${didYouMeanSuffix(byId.stream, names)}`, {
      hint: `use a stream that reads one record by id, e.g. of ${connectorName ?? 'the connector'}: ${names.join(', ')}`,
      details: { stream: byId.stream },
    });
  }
  const stream = resolveStream(declared, compiled.sourceCtx.config);
  const request = { mode: 'full' as const, state: undefined, params: { [byId.param]: params[byId.param] } };
  return () => stream.read(compiled.sourceCtx, request);
}
