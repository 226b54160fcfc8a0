import { Option, type Command } from 'commander';
import type { Invocation } from '../invocation.js';
import type { Workspace } from '../workspace.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { parsePort, parsePositiveInteger, parseTimeScale } from '../option-parsers.js';

interface StudioCommandOptions {
  readonly port: number;
  readonly open: boolean;
  readonly limit: number;
  readonly timeScale?: number;
}

export function registerStudioCommand(program: Command, invocation: Invocation): void {
  program
    .command('studio')
    .description('map fields in the browser: drag source fields onto the destination, preview on real records, save the YAML')
    .option('--port <port>', 'port on 127.0.0.1 (0 picks a free one)', parsePort, 0)
    .option('--no-open', 'print the link only; do not open a browser')
    .option('--limit <n>', 'source records the preview reads', parsePositiveInteger, 20)
    .addOption(new Option('--time-scale <factor>', 'run rate windows this many times faster').hideHelp().argParser(parseTimeScale))
    .action(async (options: StudioCommandOptions, command: Command) => invocation.run(command, (ws) => studioCommand(ws, invocation, options)));
}

async function studioCommand(ws: Workspace, invocation: Invocation, options: StudioCommandOptions): Promise<ExitCodeValue> {
  // Loaded here, not with the program: every other command starts faster without the studio server.
  const { openInBrowser, startStudio } = await import('@ferry/studio');
  const project = ws.project();
  const stop = invocation.gracefulStop(ws, 'closing the studio');
  const studio = await startStudio({
    projectFile: project.file,
    registry: ws.registry,
    env: ws.env(),
    store: ws.store(),
    log: ws.logger().logger,
    port: options.port,
    previewLimit: options.limit,
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
  });
  try {
    if (ws.options.json) {
      ws.io.stdout.write(`${JSON.stringify({ url: studio.url, origin: studio.origin })}\n`);
    } else {
      ws.print([
        `ferry studio for ${project.file}`,
        `  open ${studio.url}`,
        '  the link carries a one-time key: share it with no one; Ctrl-C stops the studio',
      ]);
    }
    const interactive = ws.io.stdout.isTTY === true && ws.io.env['CI'] === undefined;
    if (options.open && interactive && !(await openInBrowser(studio.url))) ws.note('could not open a browser: open the link above');
    await new Promise<void>((resolve) => {
      if (stop.signal.aborted) resolve();
      else stop.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    stop.dispose();
    await studio.close();
  }
  return ExitCode.ok;
}
