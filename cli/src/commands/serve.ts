import { Option, type Command } from 'commander';
import {
  DistributedLock,
  RunQueueProducer,
  asServiceStore,
  connectRedis,
  createService,
  setTokenRefreshLock,
  type KeyValueStore,
  type Logger,
  type ScheduleInfo,
  type WebhookEndpointInfo,
} from '@ferry/core';
import type { Invocation } from '../invocation.js';
import type { Workspace } from '../workspace.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { parsePort, parseTimeScale } from '../option-parsers.js';
import { QUEUE_PREFIX_DEFAULT, queuePrefixOf, queueUrlOf, sqliteStoreNote } from './worker.js';

interface ServeCommandOptions {
  readonly port?: number;
  readonly host?: string;
  readonly timeScale?: number;
  /** `--queue` alone: the `redis:` of ferry.yaml. */
  readonly queue?: string | true;
  readonly queuePrefix?: string;
}

export function registerServeCommand(program: Command, invocation: Invocation): void {
  program
    .command('serve')
    .description('run the service until Ctrl-C: webhooks into a durable inbox, schedules, /healthz and /metrics')
    .option('--port <port>', 'port to listen on (default: serve.port in ferry.yaml, else 8787; 0 picks a free one)', parsePort)
    .option('--host <host>', 'interface to listen on (default: serve.host in ferry.yaml, else 127.0.0.1)')
    .option('--queue [url]', 'put schedules and webhook deliveries on the run queue for `ferry worker`s instead of running them here (url default: redis: in ferry.yaml)')
    .option('--queue-prefix <prefix>', `key prefix of the queue in Redis; the workers must use the same (default: ${QUEUE_PREFIX_DEFAULT})`)
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

/** `serve --queue`: the producer, and the token refresh lock the workers also take; `close` undoes both. */
async function openServeQueue(url: string, prefix: string | undefined, store: KeyValueStore, log: Logger): Promise<{ queue: RunQueueProducer; close(): Promise<void> }> {
  const queue = await RunQueueProducer.connect({ url, prefix, log });
  let lockRedis;
  try {
    lockRedis = await connectRedis(url, { purpose: 'distributed locks' });
  } catch (error) {
    await queue.close();
    throw error;
  }
  // Token rotations here and refreshes in the workers take turns per account.
  setTokenRefreshLock(store, new DistributedLock({ redis: lockRedis, prefix: queue.prefix }));
  return {
    queue,
    async close() {
      setTokenRefreshLock(store, undefined);
      await queue.close();
      lockRedis.disconnect();
    },
  };
}

async function serveCommand(ws: Workspace, invocation: Invocation, options: ServeCommandOptions): Promise<ExitCodeValue> {
  const project = ws.project();
  const pipelines = ws.pipelines();
  const store = asServiceStore(ws.store());
  const log = ws.logger().logger;
  const queueUrl = options.queue === undefined ? undefined : queueUrlOf(options.queue === true ? undefined : options.queue, project, 'ferry serve --queue');
  const queued = queueUrl === undefined ? undefined : await openServeQueue(queueUrl, queuePrefixOf(options.queuePrefix, project), store, log);
  const queue = queued?.queue;
  try {
    const service = createService({
      project,
      pipelines,
      registry: ws.registry,
      store,
      log,
      env: ws.env(),
      ...(queue === undefined ? {} : { queue }),
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
    });
    const stop = invocation.gracefulStop(ws, 'new webhooks get 503; runs and deliveries in progress finish and commit');
    try {
      const { url } = await service.start();
      const storeNote = queue === undefined ? undefined : sqliteStoreNote(store);
      if (storeNote !== undefined) ws.note(storeNote);
      if (ws.options.json) {
        const queueFields = queue === undefined ? {} : { queue: queue.where, prefix: queue.prefix };
        ws.io.stdout.write(`${JSON.stringify({ url, webhooks: service.endpoints, schedules: service.schedules(), ...queueFields })}\n`);
      } else {
        ws.print([
          `ferry serve listening on ${url}`,
          ...(queue === undefined ? [] : [`  queue:     ${queue.where} (prefix ${queue.prefix}): schedules and deliveries are processed by \`ferry worker\``]),
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
  } finally {
    await queued?.close();
  }
  const waiting = store.inboxDepth();
  const waitFor = queue === undefined ? 'the next start' : 'the workers';
  ws.note(waiting === 0 ? 'stopped cleanly' : `stopped cleanly; ${waiting} webhook deliveries wait in the inbox for ${waitFor}`);
  return ExitCode.ok;
}
