import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnectorRegistry, defineConnector, FerryError } from '@ferry/core';
import type { CliIo } from './cli-io.js';
import { runCli } from './cli.js';

const crm = defineConnector({
  name: 'crm',
  version: '2.0.0',
  description: 'A test CRM',
  configSchema: { type: 'object', additionalProperties: false, properties: { path: { type: 'string' } } },
  auth: [{ kind: 'none' }],
  streams: [
    {
      name: 'contacts',
      description: 'Contacts',
      schema: { type: 'object' },
      primaryKey: 'id',
      syncModes: ['full'],
      async *read() {},
    },
  ],
  actions: [],
  triggers: [],
});

interface FakeIo extends CliIo {
  out(): string;
  err(): string;
  readonly exits: number[];
  fatal(error: unknown): void;
}

function fakeIo(cwd: string): FakeIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const exits: number[] = [];
  let fatalHandler: ((error: unknown) => void) | undefined;
  return {
    stdout,
    stderr,
    cwd,
    env: {},
    signals: new EventEmitter(),
    exit: (code) => exits.push(code),
    onFatal: (handler) => (fatalHandler = handler),
    out: () => out,
    err: () => err,
    exits,
    fatal: (error) => fatalHandler?.(error),
  };
}

describe('ferry argument parsing and exit codes (in process)', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-cli-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const registry = createConnectorRegistry([crm]);

  it('prints the version and the help (with exit codes) and exits 0', async () => {
    const io = fakeIo(tempDir());
    expect(await runCli(['--version'], io, registry)).toBe(0);
    expect(io.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
    const help = fakeIo(tempDir());
    expect(await runCli(['--help'], help, registry)).toBe(0);
    for (const command of ['run', 'plan', 'validate', 'status', 'dlq', 'catalog', 'sandbox']) expect(help.out()).toContain(`  ${command}`);
    expect(help.out()).toContain('130  stopped by SIGINT/SIGTERM');
    expect(help.out()).not.toContain('--time-scale');
  });

  it('turns usage mistakes into exit 2 with the reason on stderr', async () => {
    const cases: [string[], RegExp][] = [
      [['nope'], /unknown command 'nope'/],
      [['run'], /missing required argument 'pipeline'/],
      [['run', 'x', '--limit', '0'], /--limit <n>.*expected a whole number of 1 or more/],
      [['run', 'x', '--param', 'oops'], /expected key=value/],
      [['--log-level', 'loud', 'status'], /Allowed choices are fatal, error, warn, info, debug, trace, silent/],
      [['sandbox', 'crm', '--faults', 'boom=1'], /unknown fault 'boom'/],
      [['dlq', 'list', '--status', 'closed'], /Allowed choices are open, replayed, discarded, all/],
      [[], /Usage: ferry/],
    ];
    for (const [argv, message] of cases) {
      const io = fakeIo(tempDir());
      expect(await runCli(argv, io, registry), argv.join(' ')).toBe(2);
      expect(io.err(), argv.join(' ')).toMatch(message);
      expect(io.out(), argv.join(' ')).toBe('');
    }
  });

  it('reports a FerryError as error/hint lines with its exit code, and JSON on stdout with --json', async () => {
    const io = fakeIo(tempDir());
    expect(await runCli(['status'], io, registry)).toBe(2);
    expect(io.err()).toMatch(/^error: no ferry\.yaml in .* or any parent directory\nhint: .+\n$/);
    const json = fakeIo(tempDir());
    expect(await runCli(['catalog', 'crn', '--json'], json, registry)).toBe(2);
    expect(JSON.parse(json.out())).toMatchObject({ error: { code: 'CONNECTOR_NOT_FOUND' } });
    expect(json.err()).toContain("did you mean 'crm'?");
  });

  it('prints the catalog of a registry it is given', async () => {
    const io = fakeIo(tempDir());
    expect(await runCli(['catalog', '--json'], io, registry)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ connectors: [{ name: 'crm', version: '2.0.0', streams: [{ name: 'contacts' }] }] });
  });

  it('validates a project (ok, then a positioned error with exit 2)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ferry.yaml'), 'connections:\n  crm: { connector: crm, config: { path: x } }\npipelines: [p.yaml]\n');
    writeFileSync(join(dir, 'p.yaml'), 'name: p\nfrom: { connection: crm, stream: contacts }\nto: { connection: crm, action: upsert }\n');
    const io = fakeIo(dir);
    expect(await runCli(['validate'], io, registry)).toBe(2);
    expect(io.out()).toContain('ok     ferry.yaml');
    expect(io.out()).toMatch(/error {2}\S*p\.yaml:3:\d+: unknown action 'upsert'.*\n {7}hint: /);
    writeFileSync(join(dir, 'ferry.yaml'), 'connections:\n  crm: { connector: crm, config: { path: x } }\npipelines: []\n');
    const ok = fakeIo(dir);
    expect(await runCli(['validate'], ok, registry)).toBe(0);
    expect(ok.out()).toBe('ok     ferry.yaml\nall 1 file(s) valid\n');
  });

  it('ends an error nothing caught in one line and exit 3, never a stack', async () => {
    const io = fakeIo(tempDir());
    await runCli(['--version'], io, registry);
    io.fatal(new TypeError('x is undefined\n    at somewhere (file.ts:1:1)'));
    expect(io.exits).toEqual([3]);
    expect(io.err()).toContain('error: unexpected failure: TypeError: x is undefined\nhint: ');
    expect(io.err()).not.toContain('at somewhere');
    const ferryError = fakeIo(tempDir());
    await runCli(['--version'], ferryError, registry);
    ferryError.fatal(new FerryError('STORE_DISK_FULL', 'the disk is full', { hint: 'free some space' }));
    expect(ferryError.err()).toContain('error: the disk is full\nhint: free some space\n');
  });
});
