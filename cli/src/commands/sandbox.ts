import type { Command } from 'commander';
import { FerryError, serveSandbox, type FaultRates } from '@ferry/core';
import type { Invocation } from '../invocation.js';
import type { Workspace } from '../workspace.js';
import { ExitCode, type ExitCodeValue } from '../exit-codes.js';
import { collectParam, parseFaults, parseNonNegativeInteger, parsePort, parseTimeScale } from '../option-parsers.js';
import { findConnector } from './catalog.js';

interface SandboxCommandOptions {
  readonly port: number;
  readonly seed?: number;
  readonly size?: number;
  readonly timeScale?: number;
  readonly faults?: FaultRates;
  readonly extra?: Readonly<Record<string, unknown>>;
}

export function registerSandboxCommand(program: Command, invocation: Invocation): void {
  program
    .command('sandbox')
    .description("serve a connector's simulated API on 127.0.0.1 until Ctrl-C (demos, tests, benchmarks)")
    .argument('<connector>', 'connector name (`ferry catalog` says which have a sandbox)')
    .option('--port <port>', 'port to listen on (0 picks a free one)', parsePort, 0)
    .option('--seed <n>', 'seed of the generated data (same seed, same data)', parseNonNegativeInteger)
    .option('--size <n>', 'how many records to seed (e.g. contacts)', parseNonNegativeInteger)
    .option('--time-scale <factor>', 'run rate windows this many times faster (0 turns rate limits off)', parseTimeScale)
    .option('--faults <rates>', 'inject faults per request, e.g. 429=0.1,500=0.05,timeout=0.01,reset=0.01,malformed=0.01', parseFaults)
    .option('--extra <key=value>', 'a connector-specific sandbox option, repeatable (key:=json for a typed value), e.g. locations:=\'["loc1","loc2"]\'', collectParam)
    .action(async (connector: string, options: SandboxCommandOptions, command: Command) =>
      invocation.run(command, (ws) => sandboxCommand(ws, invocation, connector, options)),
    );
}

async function sandboxCommand(ws: Workspace, invocation: Invocation, name: string, options: SandboxCommandOptions): Promise<ExitCodeValue> {
  const connector = findConnector(ws.registry, name);
  if (connector.sandbox === undefined) {
    const withSandbox = [...ws.registry.values()].filter((c) => c.sandbox !== undefined).map((c) => c.name);
    throw new FerryError('SANDBOX_NOT_AVAILABLE', `connector '${name}' has no sandbox`, {
      hint: withSandbox.length === 0 ? 'no installed connector ships a sandbox' : `connectors with a sandbox: ${withSandbox.join(', ')}`,
    });
  }
  const sandbox = await connector.sandbox();
  const stop = invocation.gracefulStop(ws, 'closing the sandbox');
  const server = await serveSandbox(sandbox, {
    host: '127.0.0.1',
    port: options.port,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.size === undefined ? {} : { size: options.size }),
    ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
    ...(options.extra === undefined ? {} : { extra: options.extra }),
  });
  try {
    if (ws.options.json) {
      ws.io.stdout.write(`${JSON.stringify({ connector: connector.name, url: server.url })}\n`);
    } else {
      ws.print([
        `${connector.name} sandbox listening on ${server.url}`,
        `  point a connection at it:  config: { baseUrl: ${server.url} }`,
        `  inspect it:                ${server.url}/__sandbox/state  ·  ${server.url}/__sandbox/stats`,
        '  Ctrl-C stops it',
      ]);
    }
    await stop.stopped;
  } finally {
    stop.dispose();
    await server.close();
  }
  return ExitCode.ok;
}
