import { Option, type Command } from 'commander';
import { asServiceStore, createService, type ScheduleInfo, type WebhookEndpointInfo } from '@ferry/core';
import type { Invocation } from '../invocation.js';
import type { Workspace } from '../workspace.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { parsePort, parseTimeScale } from '../option-parsers.js';

interface ServeCommandOptions {
  readonly port?: number;
  readonly host?: string;
  readonly timeScale?: number;
}

export function registerServeCommand(program: Command, invocation: Invocation): void {
  program
    .command('serve')
    .description('run the service until Ctrl-C: webhooks into a durable inbox, schedules, /healthz and /metrics')
    .option('--port <port>', 'port to listen on (default: serve.port in ferry.yaml, else 8787; 0 picks a free one)', parsePort)
    .option('--host <host>', 'interface to listen on (default: serve.host in ferry.yaml, else 127.0.0.1)')
    .addOption(new Option('--time-scale <factor>', 'run rate windows this many times faster').hideHelp().argParser(parseTimeScale))
    .action(async (options: ServeCommandOptions, command: Command) => invocation.run(command, (ws) => serveCommand(ws, invocation, options)));
}

function webhookLines(url: string, endpoints: readonly WebhookEndpointInfo[]): string[] {
  if (endpoints.length === 0) return ['  webhooks:  none (no pipeline has `on: - webhook: <connection>/<trigger>`)'];
  const lines = ['  webhooks:'];
  for (const endpoint of endpoints) {
    const note = endpoint.verified ? '' : '  (unverified: anyone who can reach it can post)';
    lines.push(`    ${endpoint.method} ${url}${endpoint.path}  → ${endpoint.pipelines.join(', ')}${note}`);
  }
  if (endpoints.some((endpoint) => endpoint.path.endsWith('/***'))) lines.push("    (*** is the connection's webhook secret)");
  return lines;
}

function scheduleLines(schedules: readonly ScheduleInfo[]): string[] {
  if (schedules.length === 0) return ['  schedules: none'];
  return ['  schedules:', ...schedules.map((s) => `    ${s.pipeline}  '${s.cron}'  next ${s.next?.toISOString() ?? '—'}`)];
}

async function serveCommand(ws: Workspace, invocation: Invocation, options: ServeCommandOptions): Promise<ExitCodeValue> {
  const project = ws.project();
  const pipelines = ws.pipelines();
  const store = asServiceStore(ws.store());
  const service = createService({
    project,
    pipelines,
    registry: ws.registry,
    store,
    log: ws.logger().logger,
    env: ws.env(),
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
  });
  const stop = invocation.gracefulStop(ws, 'new webhooks get 503; runs and deliveries in progress finish and commit');
  try {
    const { url } = await service.start();
    if (ws.options.json) {
      ws.io.stdout.write(`${JSON.stringify({ url, webhooks: service.endpoints, schedules: service.schedules() })}\n`);
    } else {
      ws.print([
        `ferry serve listening on ${url}`,
        ...webhookLines(url, service.endpoints),
        ...scheduleLines(service.schedules()),
        `  health: ${url}/healthz   metrics: ${url}/metrics`,
        '  Ctrl-C stops it (work in progress finishes first; the inbox keeps the rest for the next start)',
      ]);
    }
    await new Promise<void>((resolve) => {
      if (stop.signal.aborted) resolve();
      else stop.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    await service.stop();
    stop.dispose();
  }
  const waiting = store.inboxDepth();
  ws.note(waiting === 0 ? 'stopped cleanly' : `stopped cleanly; ${waiting} webhook deliveries wait in the inbox for the next start`);
  return ExitCode.ok;
}
