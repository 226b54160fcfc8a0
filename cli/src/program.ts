import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { Invocation } from './invocation.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { formatTable } from './format.js';
import { LOG_LEVELS } from './logger.js';
import { registerAuthCommand } from './commands/auth.js';
import { registerCatalogCommand } from './commands/catalog.js';
import { registerDlqCommand } from './commands/dlq.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerRunCommand } from './commands/run.js';
import { registerSandboxCommand } from './commands/sandbox.js';
import { registerServeCommand } from './commands/serve.js';
import { registerStatusCommand } from './commands/status.js';
import { registerStudioCommand } from './commands/studio.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerWorkerCommand } from './commands/worker.js';

const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const EXAMPLES: readonly (readonly [string, string])[] = [
  ['ferry validate', 'check ferry.yaml and every pipeline'],
  ['ferry plan sample-contacts-to-warehouse', 'see what a run would change'],
  ['ferry run sample-contacts-to-warehouse', 'run it (again: only what changed)'],
  ['ferry status', 'recent runs, checkpoints, dead letters'],
  ['ferry catalog csv', 'what the csv connector offers'],
];
const EXAMPLES_HELP = `\nExamples:\n${formatTable(['', ''], EXAMPLES).slice(1).join('\n')}`;

/** The `ferry` command: global options, every subcommand, help with exit codes. */
export function buildProgram(invocation: Invocation): Command {
  const { io } = invocation;
  const program = new Command('ferry')
    .description('move CRM and messaging data between systems with declarative, resumable pipelines')
    .version(version, '-V, --version')
    .option('-p, --project <file>', 'project file (default: ferry.yaml in this directory or a parent)')
    .addOption(new Option('--log-level <level>', 'log level (default: warn on the terminal, info in a log file)').choices(LOG_LEVELS))
    .option('--log-file <path>', 'write the JSON log to this file instead of stderr')
    .option('--json', 'machine-readable output: one JSON document on stdout, nothing else there')
    .option('--no-progress', 'no progress bar or progress lines on stderr')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .addHelpText('after', `${EXIT_CODES_HELP}\n${EXAMPLES_HELP}`);

  registerRunCommand(program, invocation);
  registerPlanCommand(program, invocation);
  registerValidateCommand(program, invocation);
  registerStatusCommand(program, invocation);
  registerDlqCommand(program, invocation);
  registerCatalogCommand(program, invocation);
  registerSandboxCommand(program, invocation);
  registerStudioCommand(program, invocation);
  registerServeCommand(program, invocation);
  registerWorkerCommand(program, invocation);
  registerAuthCommand(program, invocation);

  // Subcommands inherit the output routing and exit override so every usage error ends in the same place.
  for (const command of allCommands(program)) {
    command.exitOverride().configureOutput(program.configureOutput()).showHelpAfterError('(add --help for usage)');
  }
  return program;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((sub) => [sub, ...allCommands(sub)]);
}
