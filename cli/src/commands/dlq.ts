import { Option, type Command } from 'commander';
import { FerryError, type DeadLetterRow } from '@ferry/core';
import type { Invocation } from '../invocation.js';
import type { Workspace } from '../workspace.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { executePipeline } from '../execute-pipeline.js';
import { formatTable, formatValue } from '../format.js';
import { collectIds, parsePositiveInteger, parseTimeScale } from '../option-parsers.js';
import { outcomeOfResult, outcomeToJson } from '../run-report.js';
import { formatRunReport } from '../summary.js';
import { shortTime } from './status.js';

type StatusFilter = DeadLetterRow['status'] | 'all';

interface ListOptions {
  readonly status: StatusFilter;
  readonly limit: number;
  readonly records?: boolean;
}

interface ReplayOptions {
  readonly id?: readonly number[];
  readonly timeScale?: number;
}

interface DiscardOptions {
  readonly id?: readonly number[];
  readonly all?: boolean;
}

export function registerDlqCommand(program: Command, invocation: Invocation): void {
  const dlq = program.command('dlq').description('the dead-letter queue: records that failed after their retries');

  dlq
    .command('list')
    .description('list dead letters (open ones by default)')
    .argument('[pipeline]', 'pipeline name')
    .addOption(new Option('--status <status>', 'which ones to list').choices(['open', 'replayed', 'discarded', 'all']).default('open'))
    .option('--limit <n>', 'list at most n', parsePositiveInteger, 100)
    .option('--records', 'print each stored source record too')
    .action(async (pipeline: string | undefined, options: ListOptions, command: Command) =>
      invocation.run(command, (ws) => listCommand(ws, pipeline, options)),
    );

  dlq
    .command('replay')
    .description("run a pipeline's open dead letters again (after fixing their cause); landed ones are closed")
    .argument('<pipeline>', 'pipeline name or file')
    .option('--id <n...>', 'replay only these dead letters (ids from `ferry dlq list`)', collectIds)
    .addOption(new Option('--time-scale <factor>', 'run rate windows this many times faster').hideHelp().argParser(parseTimeScale))
    .action(async (pipeline: string, options: ReplayOptions, command: Command) =>
      invocation.run(command, (ws) => replayCommand(ws, invocation, pipeline, options)),
    );

  dlq
    .command('discard')
    .description('close dead letters without replaying them (they stay listed with --status discarded)')
    .argument('<pipeline>', 'pipeline name')
    .option('--id <n...>', 'the dead letters to discard', collectIds)
    .option('--all', "discard every open dead letter of the pipeline")
    .action(async (pipeline: string, options: DiscardOptions, command: Command) =>
      invocation.run(command, (ws) => discardCommand(ws, pipeline, options)),
    );
}

function listCommand(ws: Workspace, pipeline: string | undefined, options: ListOptions): ExitCodeValue {
  const letters = ws.store().listDeadLetters({
    ...(pipeline === undefined ? {} : { pipeline }),
    ...(options.status === 'all' ? {} : { status: options.status }),
    limit: options.limit,
  });
  if (ws.options.json) {
    ws.emitJson({ deadLetters: letters });
    return ExitCode.ok;
  }
  if (letters.length === 0) {
    ws.print(`no ${options.status === 'all' ? '' : `${options.status} `}dead letters${pipeline === undefined ? '' : ` for ${pipeline}`}`);
    return ExitCode.ok;
  }
  const lines = formatTable(
    ['ID', 'PIPELINE', 'SOURCE ID', 'STATUS', 'ATTEMPTS', 'CREATED (UTC)', 'ERROR'],
    letters.map((l) => [
      String(l.id),
      l.pipeline,
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

/** The open dead letters of a pipeline that `ids` names (all when empty); unknown or closed ids are an error. */
function selectOpen(ws: Workspace, pipeline: string, ids: readonly number[]): DeadLetterRow[] {
  const open = ws.store().listDeadLetters({ pipeline, status: 'open' });
  if (ids.length === 0) return open;
  const known = new Set(open.map((l) => l.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new FerryError('USAGE_INVALID', `no open dead letter with id ${unknown.join(', ')} for pipeline '${pipeline}'`, {
      hint: `\`ferry dlq list ${pipeline}\` shows the open ones and their ids`,
    });
  }
  const wanted = new Set(ids);
  return open.filter((l) => wanted.has(l.id));
}

async function replayCommand(ws: Workspace, invocation: Invocation, name: string, options: ReplayOptions): Promise<ExitCodeValue> {
  const pipeline = ws.pipeline(name);
  const selected = selectOpen(ws, pipeline.name, options.id ?? []);
  if (selected.length === 0) {
    if (ws.options.json) ws.emitJson({ replayed: 0, run: null });
    else ws.print(`no open dead letters for ${pipeline.name}: nothing to replay`);
    return ExitCode.ok;
  }
  ws.say(`replaying ${selected.length} dead letter(s) of ${pipeline.name}`);
  const stop = invocation.gracefulStop(ws);
  try {
    const result = await executePipeline(ws, pipeline, {
      signal: stop.signal,
      replay: { ids: options.id },
      timeScale: options.timeScale,
    });
    const outcome = outcomeOfResult(pipeline.name, result, false);
    const stillOpen = selectOpen(ws, pipeline.name, []).filter((l) => selected.some((s) => s.id === l.id)).length;
    if (ws.options.json) ws.emitJson({ replayed: selected.length, stillOpen, run: outcomeToJson(outcome) });
    else {
      ws.print(formatRunReport(outcome));
      ws.print(stillOpen === 0 ? 'every replayed record landed' : `${stillOpen} still open: \`ferry dlq list ${pipeline.name}\``);
    }
    return outcome.exitCode;
  } finally {
    stop.dispose();
  }
}

function discardCommand(ws: Workspace, pipeline: string, options: DiscardOptions): ExitCodeValue {
  if (options.id === undefined && options.all !== true) {
    throw new FerryError('USAGE_INVALID', 'say which dead letters to discard', {
      hint: `pass --id <n...> (ids from \`ferry dlq list ${pipeline}\`) or --all`,
    });
  }
  const selected = selectOpen(ws, pipeline, options.all === true ? [] : (options.id ?? []));
  ws.store().setDeadLetterStatus(
    selected.map((l) => l.id),
    'discarded',
  );
  if (ws.options.json) ws.emitJson({ discarded: selected.map((l) => l.id) });
  else ws.print(`discarded ${selected.length} dead letter(s) of ${pipeline}`);
  return ExitCode.ok;
}
