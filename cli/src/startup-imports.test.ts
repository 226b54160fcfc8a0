import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/ferry.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ferry-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `ferry <args>` with a module hook that writes the URL of every ES module the process loads to a file. */
async function modulesLoadedBy(args: readonly string[]): Promise<string[]> {
  const log = join(dir, `loaded-${args.join('-')}.txt`);
  const hooks = join(dir, 'record-loads.mjs');
  writeFileSync(
    hooks,
    "import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  appendFileSync(process.env.FERRY_LOAD_LOG, `${url}\\n`);\n  return next(url, context);\n}\n",
  );
  const register = join(dir, 'register.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  await promisify(execFile)(process.execPath, ['--import', pathToFileURL(register).href, BIN, ...args], {
    env: { ...process.env, FERRY_LOAD_LOG: log },
    timeout: 60_000,
  });
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

describe('start-up of the ferry command', () => {
  it('loads neither msw (the sandboxes) nor the studio server for a command that serves neither', async () => {
    const loaded = await modulesLoadedBy(['--version']);
    // The command did load the connectors, whose sandboxes are the ones that would pull msw in.
    expect(loaded.some((url) => url.includes('/connectors/ghl/src/connector.ts'))).toBe(true);
    expect(loaded.filter((url) => /\/msw\/|\/connectors\/[^/]+\/src\/sandbox\/|\/studio\/server\//.test(url))).toEqual([]);
  });
});
