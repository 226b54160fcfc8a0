import type { ProjectSpec } from '../contract/pipeline.js';
import { didYouMeanSuffix } from '../util/did-you-mean.js';
import { ConfigError } from './config-error.js';
import type { PipelineDocument } from './documents.js';
import { pointerOf, type PointerSegment } from './json-pointer.js';
import type { LoadedDocument } from './load-document.js';

/**
 * Which partition each connection of a pipeline runs in: the source connection's partition is the one being
 * read, and a destination that is the same connection writes in it too. Another partitioned connection may only
 * be the destination (`to`), with `to.partition` naming the partition it writes to.
 */
export function checkPipelinePartitions(doc: PipelineDocument, loaded: LoadedDocument, project: ProjectSpec): ConfigError[] {
  const problems: ConfigError[] = [];
  const source = doc.from.connection;
  const at = (segments: readonly PointerSegment[], prefer: 'key' | 'value' = 'value') => loaded.source.positionOf(pointerOf(segments), prefer);
  const partitionsOf = (connection: string) => (Object.hasOwn(project.connections, connection) ? project.connections[connection]?.partitions : undefined);

  const to = doc.to.connection;
  const toPartitions = partitionsOf(to);
  const chosen = doc.to.partition;
  if (chosen !== undefined) {
    if (to === source || toPartitions === undefined) {
      const why = to === source ? `'${to}' is the source connection: it writes in the partition being read` : `connection '${to}' is not partitioned`;
      problems.push(
        new ConfigError('CONFIG_BAD_PARTITIONS', at(['to', 'partition'], 'key'), `to.partition is not needed: ${why}`, {
          hint: 'remove to.partition',
          details: { connection: to, partition: chosen },
        }),
      );
    } else if (toPartitions !== 'discover' && !toPartitions.some((partition) => partition.id === chosen)) {
      const ids = toPartitions.map((partition) => partition.id);
      problems.push(
        new ConfigError('CONFIG_UNKNOWN_PARTITION', at(['to', 'partition']), `connection '${to}' has no partition '${chosen}'${didYouMeanSuffix(chosen, ids)}`, {
          hint: `partitions of '${to}': ${ids.join(', ')}`,
          details: { connection: to, partition: chosen },
        }),
      );
    }
  } else if (to !== source && toPartitions !== undefined) {
    problems.push(
      new ConfigError('CONFIG_PARTITION_REQUIRED', at(['to', 'connection']), `connection '${to}' is partitioned: say which partition the pipeline writes to`, {
        hint: `add to.partition: <id>${toPartitions === 'discover' ? '' : ` (one of ${toPartitions.map((partition) => partition.id).join(', ')})`}`,
        details: { connection: to },
      }),
    );
  }

  const steps: { readonly connection: string; readonly at: readonly PointerSegment[] }[] = [
    ...(doc.then ?? []).map((step, index) => ({ connection: step.connection ?? to, at: ['then', index] })),
    ...(doc.include ?? []).flatMap((include, index) => [
      { connection: include.to.connection, at: ['include', index, 'to'] },
      ...(include.prune === undefined ? [] : [{ connection: include.prune.connection ?? include.to.connection, at: ['include', index, 'prune'] }]),
    ]),
  ];
  for (const step of steps) {
    if (step.connection === source || step.connection === to || partitionsOf(step.connection) === undefined) continue;
    problems.push(
      new ConfigError(
        'CONFIG_PARTITION_REQUIRED',
        at(step.at, 'key'),
        `connection '${step.connection}' is partitioned, and only the source connection and \`to\` may be`,
        { hint: `write to '${step.connection}' in the pipeline's \`to\` (with to.partition), or use an unpartitioned connection here`, details: { connection: step.connection } },
      ),
    );
  }
  return problems;
}
