import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferry, spawnFerry, waitFor } from './support/ferry-cli.js';
import { createTempProject, type TempProject } from './support/temp-project.js';

/** `ferry sandbox` serves a connector's simulated API on loopback until a signal, then exits 0. */
describe('ferry sandbox (child process)', () => {
  let dir: TempProject;
  beforeAll(() => {
    dir = createTempProject({});
  });
  afterAll(() => dir.remove());

  for (const connector of ['ghl', 'salesmsg']) {
    it(`serves the ${connector} sandbox on 127.0.0.1, prints its URL as JSON, and stops on SIGTERM`, async () => {
      const running = spawnFerry(['sandbox', connector, '--json', '--port', '0', '--seed', '3', '--size', '5', '--time-scale', '0'], { cwd: dir.dir });
      const line = await waitFor(() => running.stdout().split('\n').find((l) => l.startsWith('{')), 'the sandbox URL');
      const { url, connector: name } = JSON.parse(line) as { url: string; connector: string };
      expect(name).toBe(connector);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const state = await fetch(`${url}/__sandbox/state`);
      expect(state.status).toBe(200);
      expect(await state.json()).toBeTypeOf('object');
      running.child.kill('SIGTERM');
      const out = await running.exited;
      expect(out.code).toBe(0);
      expect(out.stdout.trim()).toBe(line);
      await expect(fetch(`${url}/__sandbox/state`)).rejects.toThrow();
    });
  }

  it('refuses connectors without a sandbox and bad fault rates (exit 2)', async () => {
    const none = await ferry(['sandbox', 'csv'], { cwd: dir.dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: connector 'csv' has no sandbox\nhint: connectors with a sandbox: .*ghl/);
    const faults = await ferry(['sandbox', 'ghl', '--faults', '429=2'], { cwd: dir.dir });
    expect(faults.code).toBe(2);
    expect(faults.stderr).toContain('must be a probability between 0 and 1');
  });
});
