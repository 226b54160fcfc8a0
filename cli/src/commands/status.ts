import type { Command } from 'commander';
import { SqliteStore, didYouMeanSuffix, type RunRow } from '@ferry/core';
import type { Invocation } from '../invocation.js';
import type { Workspace } from '../workspace.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { formatCount, formatDuration, formatTable, formatValue } from '../format.js';
import { parsePositiveInteger } from '../option-parsers.js';

interface StatusOptions {
  readonly limit: number;
  readonly partition?: string;
}

export function registerStatusCommand(program: Command, invocation: Invocation): void {
  program
    .command('status')
    .description('recent runs, checkpoints and open dead letters (of one pipeline, or all)')
    .argument('[pipeline]', 'pipeline name')
    .option('--limit <n>', 'how many recent runs to list', parsePositiveInteger, 10)
    .option('--partition <id>', 'only the runs and checkpoints of this partition')
    .action(async (pipeline: string | undefined, options: StatusOptions, command: Command) =>
      invocation.run(command, (ws) => statusCommand(ws, pipeline, options)),
    );
}

/** "2025-03-01T12:00:03.120Z" → "2025-03-01 12:00:03" (UTC, as stored). */
export function shortTime(iso: string | undefined): string {
  if (iso === undefined) return '—';
  return iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '');
}

function runRow(run: RunRow, withPartition: boolean): string[] {
  const s = run.summary;
  return [
    String(run.id),
    run.pipeline,
    ...(withPartition ? [run.partition === '' ? '—' : run.partition] : []),
    run.status,
    run.mode,
    shortTime(run.startedAt),
    s === undefined ? '—' : formatDuration(s.durationMs),
    s === undefined ? '—' : formatCount(s.read),
    s === undefined ? '—' : formatCount(s.created),
    s === undefined ? '—' : formatCount(s.updated),
    s === undefined ? '—' : formatCount(s.unchanged),
    s === undefined ? '—' : formatCount(s.skipped),
    s === undefined ? '—' : formatCount(s.deadLettered),
  ];
}

function statusCommand(ws: Workspace, pipeline: string | undefined, options: StatusOptions): ExitCodeValue {
  const project = ws.project();
  const store = ws.store();
  const storeFile = store instanceof SqliteStore ? store.file : project.store;
  const runs = store.listRuns({ ...(pipeline === undefined ? {} : { pipeline }), ...(options.partition === undefined ? {} : { partition: options.partition }), limit: options.limit });
  const checkpoints = store.listCheckpoints(pipeline).filter((c) => options.partition === undefined || c.partition === options.partition);
  const openDeadLetters = new Map<string, number>();
  for (const letter of store.listDeadLetters({ ...(pipeline === undefined ? {} : { pipeline }), status: 'open' })) {
    openDeadLetters.set(letter.pipeline, (openDeadLetters.get(letter.pipeline) ?? 0) + 1);
  }

  if (pipeline !== undefined && runs.length === 0 && checkpoints.length === 0 && openDeadLetters.size === 0) {
    const known = new Set(store.listRuns({ limit: 1000 }).map((r) => r.pipeline));
    ws.note(`nothing recorded for '${pipeline}' yet${didYouMeanSuffix(pipeline, known)}`);
  }

  if (ws.options.json) {
    ws.emitJson({
      project: project.file,
      store: storeFile,
      runs,
      checkpoints,
      openDeadLetters: Object.fromEntries(openDeadLetters),
    });
    return ExitCode.ok;
  }

  const lines = [`project  ${project.file}`, `store    ${storeFile}`, '', 'recent runs'];
  if (runs.length === 0) lines.push('  none yet: `ferry run <pipeline>` starts one');
  else {
    // The partition column appears once a partitioned pipeline has run.
    const withPartition = runs.some((r) => r.partition !== '');
    lines.push(
      ...formatTable(
        ['RUN', 'PIPELINE', ...(withPartition ? ['PARTITION'] : []), 'STATUS', 'MODE', 'STARTED (UTC)', 'TOOK', 'READ', 'CREATED', 'UPDATED', 'UNCHANGED', 'SKIPPED', 'DEAD'],
        runs.map((run) => runRow(run, withPartition)),
      ),
    );
  }
  const failed = runs.find((r) => r.error !== undefined);
  if (failed?.error !== undefined) lines.push(`  last error (run ${failed.id}): ${failed.error}`);

  lines.push('', 'checkpoints');
  if (checkpoints.length === 0) lines.push('  none');
  else
    lines.push(
      ...formatTable(
        ['PIPELINE', 'STREAM', 'PARTITION', 'UPDATED (UTC)', 'STATE'],
        checkpoints.map((c) => [c.pipeline, c.stream, c.partition === '' ? '—' : c.partition, shortTime(c.updatedAt), formatValue(c.state, 80)]),
      ),
    );

  lines.push('', 'open dead letters');
  if (openDeadLetters.size === 0) lines.push('  none');
  else {
    lines.push(...formatTable(['PIPELINE', 'OPEN'], [...openDeadLetters].map(([name, count]) => [name, formatCount(count)])));
    lines.push('  see them with `ferry dlq list <pipeline>`; replay with `ferry dlq replay <pipeline>`');
  }
  ws.print(lines);
  return ExitCode.ok;
}
