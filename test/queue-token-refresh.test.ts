import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenVault, openSqliteStore } from '@ferry/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from './support/ferry-cli.js';
import { QUEUE_TEST_TIMEOUT_MS, removeQueueKeys, spawnSupportScript, uniquePrefix } from './support/queue-harness.js';
import { createTempProject, type TempProject } from './support/temp-project.js';

/**
 * Two processes share one store whose OAuth token has expired, and ask for it at the same moment. With the
 * distributed refresh lock, one refreshes and the other reads the token it stored; without it, both spend the
 * same single-use refresh token and one is refused (the failure the lock exists for).
 */

let project: TempProject;
let server: Server;
let tokenUrl: string;
/** Refresh grants the token endpoint received, and the refresh tokens it still accepts (each works once). */
let grants = 0;
let valid = new Set<string>();
let generation = 0;
const prefixes: string[] = [];

beforeEach(async () => {
  project = createTempProject();
  grants = 0;
  generation = 0;
  valid = new Set(['rt-0']);
  server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      grants += 1;
      // Slow enough for the other process to ask meanwhile.
      setTimeout(() => {
        if (form.get('grant_type') !== 'refresh_token' || !valid.delete(form.get('refresh_token') ?? '')) {
          response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant' }));
          return;
        }
        generation += 1;
        valid.add(`rt-${generation}`);
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: `at-${generation}`, refresh_token: `rt-${generation}`, expires_in: 3600, token_type: 'Bearer' }));
      }, 300);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const prefix of prefixes.splice(0)) await removeQueueKeys(prefix);
  project.remove();
});

/** A store holding an expired token of `crm`, and the key its vault is sealed with. */
function seedStore(): { storeFile: string; secretKey: string } {
  const key = randomBytes(32);
  const storeFile = project.path('ferry.db');
  const store = openSqliteStore(storeFile);
  try {
    createTokenVault({ store, key }).put('crm', {
      kind: 'oauth2',
      accessToken: 'at-0',
      refreshToken: 'rt-0',
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
      scopes: [],
      tokenType: 'Bearer',
      obtainedAt: new Date().toISOString(),
    });
  } finally {
    store.close();
  }
  return { storeFile, secretKey: key.toString('base64') };
}

/** Starts both processes, lets them go at once, and returns what each printed last. */
async function raceTwo(lockPrefix: string): Promise<Record<string, string>[]> {
  const { storeFile, secretKey } = seedStore();
  const goFile = project.path('go');
  const processes = [0, 1].map(() => spawnSupportScript('./queue-token-refresher.ts', [storeFile, tokenUrl, lockPrefix, goFile], { FERRY_SECRET_KEY: secretKey }));
  await waitFor(() => (processes.every((p) => p.stdout().includes('ready\n')) ? true : undefined), 'both processes to be ready', 90_000);
  writeFileSync(goFile, '');
  const ended = await Promise.all(processes.map((p) => p.exited));
  return ended.map((end) => {
    expect(end.code, end.stderr).toBe(0);
    return JSON.parse(end.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, string>;
  });
}

describe('token refresh across processes (child processes, local Redis)', () => {
  it('refreshes once under the distributed lock; both processes go on with the new token', { timeout: QUEUE_TEST_TIMEOUT_MS }, async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const results = await raceTwo(prefix);
    expect(grants).toBe(1);
    expect(results).toEqual([{ token: 'at-1' }, { token: 'at-1' }]);
  });

  it('without the lock, both refresh and one is refused: what the lock prevents', { timeout: QUEUE_TEST_TIMEOUT_MS }, async () => {
    const results = await raceTwo('-');
    expect(grants).toBe(2);
    expect(results).toContainEqual({ error: 'AUTH_REVOKED' });
  });
});
