import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/ferry.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ferry-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Libraries a command loads only when it uses them: the run queue (bullmq), Redis (ioredis, redlock), metrics
 * (prom-client), HTTP (undici) and phone numbers (libphonenumber-js). Every command imports core's barrel, so a
 * static import of any of them anywhere in core would put it back into every process's start-up.
 */
const LOADED_ON_USE = ['bullmq', 'ioredis', '@sesamecare-oss/redlock', 'prom-client', 'undici', 'libphonenumber-js'] as const;

/** A csv → sqlite project whose pipeline converts phone numbers (validate compiles the convert, reads no number). */
const project = join(dir, 'project');
mkdirSync(join(project, 'pipelines'), { recursive: true });
writeFileSync(
  join(project, 'ferry.yaml'),
  'store: state/ferry.db\nconnections:\n  source: { connector: csv, config: { path: contacts.csv } }\n  warehouse: { connector: sqlite, config: { path: warehouse.db } }\npipelines: [pipelines/*.yaml]\n',
);
writeFileSync(
  join(project, 'pipelines/contacts.yaml'),
  'name: contacts\nfrom: { connection: source, stream: records }\nto: { connection: warehouse, action: upsert, with: { table: contacts } }\nmap:\n  id: id\n  phone: { from: phone, convert: phone-e164 }\n',
);
writeFileSync(join(project, 'contacts.csv'), 'id,phone\n1,(213) 373-4253\n');

/**
 * Runs `ferry <args>` in the project and returns every module the process loaded: ES modules as a module hook
 * sees them, CommonJS ones (what `import` of a CommonJS package and `require` load) from require's cache at exit.
 */
async function modulesLoadedBy(args: readonly string[]): Promise<string[]> {
  const log = join(dir, `loaded-${args.join('-').replace(/[^\w-]/g, '_')}.txt`);
  const hooks = join(dir, 'record-loads.mjs');
  writeFileSync(
    hooks,
    "import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  appendFileSync(process.env.FERRY_LOAD_LOG, `${url}\\n`);\n  return next(url, context);\n}\n",
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const cjs = join(dir, 'record-requires.cjs');
  writeFileSync(
    cjs,
    "const { appendFileSync } = require('node:fs');\nprocess.on('exit', () => appendFileSync(process.env.FERRY_LOAD_LOG, Object.keys(require.cache).map((file) => `${file}\\n`).join('')));\n",
  );
  await promisify(execFile)(process.execPath, ['--require', cjs, '--import', pathToFileURL(register).href, BIN, ...args], {
    cwd: project,
    env: { ...process.env, FERRY_LOAD_LOG: log },
    timeout: 60_000,
  }).catch((error: unknown) => {
    // A command that fails (exit code ≠ 0) still says what it loaded.
    if (!existsSync(log)) throw error;
  });
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

/** The packages of `LOADED_ON_USE` among the loaded modules. */
function onUseLibrariesIn(loaded: readonly string[]): string[] {
  return LOADED_ON_USE.filter((name) => loaded.some((file) => file.includes(`/node_modules/${name}/`)));
}

describe('start-up of the ferry command', () => {
  it('loads neither msw (the sandboxes) nor the studio server for a command that serves neither', async () => {
    const loaded = await modulesLoadedBy(['--version']);
    // The command did load the connectors, whose sandboxes are the ones that would pull msw in.
    expect(loaded.some((url) => url.includes('/connectors/ghl/src/connector.ts'))).toBe(true);
    expect(loaded.filter((url) => /\/msw\/|\/connectors\/[^/]+\/src\/sandbox\/|\/studio\/server\//.test(url))).toEqual([]);
  });

  it('loads no queue, Redis, metrics, HTTP or phone library for --help and validate', async () => {
    for (const args of [['--help'], ['validate']]) {
      const loaded = await modulesLoadedBy(args);
      // The record does see CommonJS packages: commander and better-sqlite3 are ones every command loads.
      expect(loaded.some((file) => file.includes('/node_modules/commander/')), args.join(' ')).toBe(true);
      expect(loaded.some((file) => file.includes('/node_modules/better-sqlite3/')), args.join(' ')).toBe(true);
      expect(onUseLibrariesIn(loaded), args.join(' ')).toEqual([]);
    }
  });

  it('loads the queue and Redis libraries once a command uses the queue', async () => {
    // Nothing listens on port 9: the worker loads BullMQ and ioredis, fails to connect, and exits.
    const loaded = await modulesLoadedBy(['worker', '--queue', 'redis://127.0.0.1:9/0']);
    expect(onUseLibrariesIn(loaded)).toEqual(expect.arrayContaining(['ioredis']));
  });
});
