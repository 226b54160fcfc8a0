import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { API_VERSION, SANDBOX_LOCATION_ID, sandboxTokens } from '@ferry/connector-ghl/sandbox';
import { startSandboxProcess } from '../http/sandbox-process.js';
import { forEachConcurrently, readAhead } from './contact-workers.js';
import type { SyncOptions } from './ferry-sync.js';
import { locationCounters, type SyncOutcome } from './sync-outcome.js';

/** Same page size as the connector's search reads. */
const PAGE_LIMIT = 500;

interface NaiveOptions extends SyncOptions {
  /** Sleep after a 429 before sending the call again. */
  readonly retryAfterMs: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listAt(body: unknown, key: string): Record<string, unknown>[] {
  const value = isRecord(body) ? body[key] : undefined;
  if (!Array.isArray(value)) throw new Error(`expected a list at '${key}'`);
  return value.filter(isRecord);
}

/**
 * The same sync with what many integrations do: undici requests on a keep-alive pool, as many at once as the
 * workers ask for, no throttle; a 429 is slept off for a fixed time and sent again.
 */
export async function syncNaively(options: NaiveOptions): Promise<SyncOutcome> {
  const served = await startSandboxProcess({ seed: options.seed, size: options.size, timeScale: options.timeScale });
  // As many sockets as ferry's pool per origin.
  const pool = new Pool(served.url, { connections: 32, keepAliveTimeout: 10_000 });
  const headers = {
    accept: 'application/json',
    authorization: `Bearer ${sandboxTokens(SANDBOX_LOCATION_ID).full}`,
    version: API_VERSION,
  };
  const acceptedAt: number[] = [];

  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    for (;;) {
      const response = await pool.request({
        method,
        path,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? null : JSON.stringify(body),
      });
      const parsed: unknown = await response.body.json();
      if (response.statusCode === 429) {
        await sleep(options.retryAfterMs);
        continue;
      }
      if (response.statusCode !== 200) throw new Error(`${method} ${path} answered ${response.statusCode}`);
      acceptedAt.push(performance.now());
      return parsed;
    }
  }

  async function* contactPages(): AsyncGenerator<readonly Record<string, unknown>[]> {
    let searchAfter: unknown;
    for (;;) {
      const page = listAt(
        await call('POST', '/contacts/search', {
          locationId: SANDBOX_LOCATION_ID,
          pageLimit: PAGE_LIMIT,
          sort: [{ field: 'dateUpdated', direction: 'asc' }],
          ...(searchAfter === undefined ? {} : { searchAfter }),
        }),
        'contacts',
      );
      yield page;
      searchAfter = page.at(-1)?.['searchAfter'];
      if (page.length < PAGE_LIMIT || searchAfter === undefined) return;
    }
  }

  try {
    let contacts = 0;
    let tasks = 0;
    let notes = 0;
    const started = performance.now();
    await forEachConcurrently(readAhead(contactPages()), options.concurrency, async (contact) => {
      contacts += 1;
      const id = encodeURIComponent(String(contact['id']));
      const taskCount = listAt(await call('GET', `/contacts/${id}/tasks`), 'tasks').length;
      const noteCount = listAt(await call('GET', `/contacts/${id}/notes`), 'notes').length;
      tasks += taskCount;
      notes += noteCount;
    });
    const elapsedMs = performance.now() - started;
    return { client: 'naive', contacts, tasks, notes, elapsedMs, acceptedAt, ...locationCounters(await served.stats(), SANDBOX_LOCATION_ID) };
  } finally {
    await pool.close();
    await served.close();
  }
}
