import { Option, type Command } from 'commander';
import { combineRunSummaries, FerryError, type DeadLetterRow, type PipelineSpec, type PipelineUnit } from '@ferry/core';
import type { Invocation } from '../invocation.js';
import type { Workspace } from '../workspace.js';
import { ExitCode, worstExitCode, type ExitCodeValue } from '../exit-codes.js';
import { formatTable, formatValue } from '../format.js';
import { collectIds, parsePositiveInteger, parseTimeScale } from '../option-parsers.js';
import { outcomeOfError, outcomeToJson, type PipelineOutcome } from '../run-report.js';
import { DEFAULT_PARTITIONS_CONCURRENCY, runPipelineUnits } from '../run-pipeline-units.js';
import { formatPartitionsTotal, formatRunReport } from '../summary.js';
import { shortTime } from './status.js';

type StatusFilter = DeadLetterRow['status'] | 'all';

interface ListOptions {
  readonly status: StatusFilter;
  readonly limit: number;
  readonly records?: boolean;
  readonly partition?: string;
}

interface ReplayOptions {
  readonly id?: readonly number[];
  readonly partition?: string;
  readonly partitionsConcurrency: number;
  readonly timeScale?: number;
}

interface DiscardOptions {
  readonly id?: readonly number[];
  readonly all?: boolean;
  readonly partition?: string;
}

export function registerDlqCommand(program: Command, invocation: Invocation): void {
  const dlq = program.command('dlq').description('the dead-letter queue: records that failed after their retries');

  dlq
    .command('list')
    .description('list dead letters (open ones by default)')
    .argument('[pipeline]', 'pipeline name')
    .addOption(new Option('--status <status>', 'which ones to list').choices(['open', 'replayed', 'discarded', 'all']).default('open'))
    .option('--partition <id>', 'only the dead letters of this partition of a partitioned pipeline')
    .option('--limit <n>', 'list at most n', parsePositiveInteger, 100)
    .option('--records', 'print each stored source record too')
    .action(async (pipeline: string | undefined, options: ListOptions, command: Command) =>
      invocation.run(command, (ws) => listCommand(ws, pipeline, options)),
    );

  dlq
    .command('replay')
    .description(
      "run a pipeline's open dead letters again (after fixing their cause); landed ones are closed. A partitioned pipeline replays each partition's letters in that partition",
    )
    .argument('<pipeline>', 'pipeline name or file')
    .option('--id <n...>', 'replay only these dead letters (ids from `ferry dlq list`)', collectIds)
    .option('--partition <id>', 'replay only the dead letters of this partition')
    .option('--partitions-concurrency <n>', 'partitions that replay at once', parsePositiveInteger, DEFAULT_PARTITIONS_CONCURRENCY)
    .addOption(new Option('--time-scale <factor>', 'run rate windows this many times faster').hideHelp().argParser(parseTimeScale))
    .action(async (pipeline: string, options: ReplayOptions, command: Command) =>
      invocation.run(command, (ws) => replayCommand(ws, invocation, pipeline, options)),
    );

  dlq
    .command('discard')
    .description('close dead letters without replaying them (they stay listed with --status discarded)')
    .argument('<pipeline>', 'pipeline name')
    .option('--id <n...>', 'the dead letters to discard', collectIds)
    .option('--all', 'discard every open dead letter of the pipeline (of the partition, with --partition)')
    .option('--partition <id>', 'only dead letters of this partition')
    .action(async (pipeline: string, options: DiscardOptions, command: Command) =>
      invocation.run(command, (ws) => discardCommand(ws, pipeline, options)),
    );
}

/** " in partition 'x'" when a partition was asked for, else nothing. */
function inPartition(partition: string | undefined): string {
  return partition === undefined ? '' : ` in partition '${partition}'`;
}

function listCommand(ws: Workspace, pipeline: string | undefined, options: ListOptions): ExitCodeValue {
  const letters = ws.store().listDeadLetters({
    ...(pipeline === undefined ? {} : { pipeline }),
    ...(options.partition === undefined ? {} : { partition: options.partition }),
    ...(options.status === 'all' ? {} : { status: options.status }),
    limit: options.limit,
  });
  if (ws.options.json) {
    ws.emitJson({ deadLetters: letters });
    return ExitCode.ok;
  }
  if (letters.length === 0) {
    ws.print(`no ${options.status === 'all' ? '' : `${options.status} `}dead letters${pipeline === undefined ? '' : ` for ${pipeline}`}${inPartition(options.partition)}`);
    return ExitCode.ok;
  }
  // Unpartitioned pipelines keep the table they always had.
  const partitioned = letters.some((l) => l.partition !== '');
  const lines = formatTable(
    ['ID', 'PIPELINE', ...(partitioned ? ['PARTITION'] : []), 'SOURCE ID', 'STATUS', 'ATTEMPTS', 'CREATED (UTC)', 'ERROR'],
    letters.map((l) => [
      String(l.id),
      l.pipeline,
      ...(partitioned ? [l.partition === '' ? '—' : l.partition] : []),
      l.sourceId ?? '—',
      l.status,
      String(l.attempts),
      shortTime(l.createdAt),
      `${l.error.code}: ${l.error.message}`,
    ]),
  );
  if (options.records === true) {
    for (const letter of letters) {
      lines.push(`  #${letter.id} record: ${formatValue(letter.record, 2_000)}`);
      if (letter.error.hint !== undefined) lines.push(`  #${letter.id} hint: ${letter.error.hint}`);
    }
  }
  ws.print(lines);
  if (letters.length === options.limit) ws.note(`(first ${options.limit}; --limit shows more)`);
  return ExitCode.ok;
}

/** The open dead letters of a pipeline (of one partition) that `ids` names (all when empty); unknown or closed ids are an error. */
function selectOpen(ws: Workspace, pipeline: string, ids: readonly number[], partition: string | undefined): DeadLetterRow[] {
  const open = ws.store().listDeadLetters({ pipeline, status: 'open', ...(partition === undefined ? {} : { partition }) });
  if (ids.length === 0) return open;
  const known = new Set(open.map((l) => l.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new FerryError('USAGE_INVALID', `no open dead letter with id ${unknown.join(', ')} for pipeline '${pipeline}'${inPartition(partition)}`, {
      hint: `\`ferry dlq list ${pipeline}${partition === undefined ? '' : ` --partition ${partition}`}\` shows the open ones and their ids`,
    });
  }
  const wanted = new Set(ids);
  return open.filter((l) => wanted.has(l.id));
}

function byPartition(letters: readonly DeadLetterRow[]): Map<string, DeadLetterRow[]> {
  const groups = new Map<string, DeadLetterRow[]>();
  for (const letter of letters) {
    const group = groups.get(letter.partition);
    if (group === undefined) groups.set(letter.partition, [letter]);
    else group.push(letter);
  }
  return groups;
}

/**
 * Letters whose partition the pipeline no longer has (removed from ferry.yaml, no longer discovered),
 * or that name none while the pipeline is partitioned: no context can write them where they came from.
 */
function partitionGone(pipeline: PipelineSpec, partition: string, letters: readonly DeadLetterRow[]): FerryError {
  const count = `${letters.length} open dead letter(s)`;
  const ids = letters.map((l) => l.id);
  if (partition === '') {
    return new FerryError(
      'DEAD_LETTER_PARTITION_GONE',
      `${count} of pipeline '${pipeline.name}' belong to no partition (dead-lettered before connection '${pipeline.from.connection}' had partitions), so no location can take them: not replayed`,
      { hint: `discard them with \`ferry dlq discard ${pipeline.name} --id ${ids.join(' ')}\``, details: { partition, ids } },
    );
  }
  return new FerryError(
    'DEAD_LETTER_PARTITION_GONE',
    `partition '${partition}' of connection '${pipeline.from.connection}' no longer exists: its ${count} of pipeline '${pipeline.name}' were not replayed and stay open`,
    {
      hint: `restore the partition (in ferry.yaml's \`partitions:\`, or where \`partitions: discover\` finds them) and replay again, or discard them with \`ferry dlq discard ${pipeline.name} --partition ${partition} --all\``,
      details: { partition, ids },
    },
  );
}

async function replayCommand(ws: Workspace, invocation: Invocation, name: string, options: ReplayOptions): Promise<ExitCodeValue> {
  const pipeline = ws.pipeline(name);
  const selected = selectOpen(ws, pipeline.name, options.id ?? [], options.partition);
  if (selected.length === 0) {
    if (ws.options.json) ws.emitJson({ replayed: 0, stillOpen: 0, runs: [] });
    else ws.print(`no open dead letters for ${pipeline.name}${inPartition(options.partition)}: nothing to replay`);
    return ExitCode.ok;
  }
  const groups = byPartition(selected);
  const partitions = [...groups.keys()].filter((partition) => partition !== '');
  ws.say(`replaying ${selected.length} dead letter(s) of ${pipeline.name}${partitions.length === 0 ? '' : ` in ${partitions.length} partition(s)`}`);

  const outcomes: PipelineOutcome[] = [];
  const report = (outcome: PipelineOutcome): void => {
    if (outcomes.length > 0) ws.say('');
    ws.say(formatRunReport(outcome));
    outcomes.push(outcome);
  };
  // Every partition the pipeline has now; letters of any other one cannot be written where they came from.
  let existing: ReadonlySet<string> | undefined;
  const stop = invocation.gracefulStop(ws);
  let notStarted: readonly string[] = [];
  let partitioned = false;
  try {
    const units = await runPipelineUnits(ws, pipeline, {
      signal: stop.signal,
      timeScale: options.timeScale,
      concurrency: options.partitionsConcurrency,
      // Each partition replays its own letters, with its own context, token and rate-limit budget.
      chooseUnits: (all: readonly PipelineUnit[]) => {
        existing = new Set(all.map((unit) => unit.partition));
        return all.filter((unit) => groups.has(unit.partition));
      },
      replayOf: (unit: PipelineUnit) => ({ ids: (groups.get(unit.partition) ?? []).map((l) => l.id) }),
      onOutcome: (_unit, outcome) => report(outcome),
    });
    partitioned = units.partitioned;
    notStarted = units.notStarted;
    if (units.refused !== undefined) report(units.refused);
    else {
      for (const [partition, letters] of groups) {
        if (existing?.has(partition) === true) continue;
        const gone = partitionGone(pipeline, partition, letters);
        const outcome = outcomeOfError(pipeline.name, gone, false, partition === '' ? undefined : { id: partition });
        if (outcome !== undefined) report(outcome);
      }
    }
  } finally {
    stop.dispose();
  }

  const replayedIds = new Set(selected.map((l) => l.id));
  const stillOpen = ws
    .store()
    .listDeadLetters({ pipeline: pipeline.name, status: 'open' })
    .filter((l) => replayedIds.has(l.id)).length;
  const codes = outcomes.map((outcome) => outcome.exitCode);
  if (notStarted.length > 0) codes.push(ExitCode.stopped);
  if (ws.options.json) {
    ws.emitJson({ replayed: selected.length, stillOpen, runs: outcomes.map(outcomeToJson), notStarted });
  } else {
    if (partitioned && outcomes.length > 1) {
      ws.print('');
      ws.print(formatPartitionsTotal(pipeline.name, outcomes, combineRunSummaries(outcomes.map((o) => o.summary)), notStarted.length));
    }
    if (notStarted.length > 0) ws.note(`partitions not started (stopped first): ${notStarted.join(', ')}`);
    ws.print(stillOpen === 0 ? 'every replayed record landed' : `${stillOpen} still open: \`ferry dlq list ${pipeline.name}\``);
  }
  return worstExitCode(codes);
}

function discardCommand(ws: Workspace, pipeline: string, options: DiscardOptions): ExitCodeValue {
  if (options.id === undefined && options.all !== true) {
    throw new FerryError('USAGE_INVALID', 'say which dead letters to discard', {
      hint: `pass --id <n...> (ids from \`ferry dlq list ${pipeline}\`) or --all (with --partition <id>: every open one of that partition)`,
    });
  }
  const selected = selectOpen(ws, pipeline, options.all === true ? [] : (options.id ?? []), options.partition);
  ws.store().setDeadLetterStatus(
    selected.map((l) => l.id),
    'discarded',
  );
  if (ws.options.json) ws.emitJson({ discarded: selected.map((l) => l.id) });
  else ws.print(`discarded ${selected.length} dead letter(s) of ${pipeline}${inPartition(options.partition)}`);
  return ExitCode.ok;
}
