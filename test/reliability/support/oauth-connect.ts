import { spawnFerry, waitFor } from '../../support/ferry-cli.js';

/**
 * `ferry auth <connection> --no-browser`, with this process playing the browser: it opens the printed authorize
 * URL (the sandbox's consent page redirects at once to ferry's loopback listener with a code).
 * Returns the command's output.
 */
export async function connectOauth(connection: string, cwd: string, env: Readonly<Record<string, string>>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const auth = spawnFerry(['auth', connection, '--no-browser'], { cwd, env, timeoutMs: 30_000 });
  const url = await waitFor(() => /http:\/\/127\.0\.0\.1:\d+\/\S*oauth\S*/.exec(auth.stderr())?.[0], 'the authorize URL', 20_000);
  const consent = await fetch(url, { redirect: 'follow' });
  await consent.text();
  return auth.exited;
}
