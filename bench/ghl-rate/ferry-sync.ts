import { setMaxListeners } from 'node:events';
import { forgetLimiters, limiterFor, type HttpClient, type HttpRequest, type HttpResponse, type JsonRecord } from '@ferry/core';
import { ghl } from '@ferry/connector-ghl';
import { SANDBOX_LOCATION_ID } from '@ferry/connector-ghl/sandbox';
import { ghlContexts, ghlStream, withHttp } from '../http/ghl-connection.js';
import { startSandboxProcess } from '../http/sandbox-process.js';
import { forEachConcurrently, readAhead } from './contact-workers.js';
import { locationCounters, type SyncOutcome } from './sync-outcome.js';

export interface SyncOptions {
  readonly size: number;
  readonly timeScale: number;
  /** Contacts worked on at once (each: GET tasks, then GET notes). */
  readonly concurrency: number;
  readonly seed: number;
}

/** Counts the records of every page of a stream read. */
async function countRecords(pages: AsyncIterable<{ readonly records: readonly JsonRecord[] }>): Promise<number> {
  let count = 0;
  for await (const page of pages) count += page.records.length;
  return count;
}

/** The client, noting when each successful call's answer came (failed calls throw and are not noted). */
function timeAnswers(http: HttpClient, acceptedAt: number[]): HttpClient {
  return {
    get stats() {
      return http.stats;
    },
    async request<T>(request: HttpRequest): Promise<HttpResponse<T>> {
      const response = await http.request<T>(request);
      acceptedAt.push(performance.now());
      return response;
    },
  };
}

/**
 * The full sync through ferry as a pipeline run does it: the connection's context from the runtime's context
 * factory (the connector's HTTP profile, the shared limiter of (ghl, location), the bearer token), the
 * connector's `contacts` stream, then its `contact.tasks` and `contact.notes` streams per contact.
 */
export async function syncWithFerry(options: SyncOptions): Promise<SyncOutcome> {
  const served = await startSandboxProcess({ seed: options.seed, size: options.size, timeScale: options.timeScale });
  const controller = new AbortController();
  // Every call in flight listens to the run's signal (the limiter while it waits, undici while it runs).
  setMaxListeners(0, controller.signal);
  const contexts = ghlContexts(served.url, options.timeScale, controller.signal);
  try {
    const base = contexts.context('ghl');
    const acceptedAt: number[] = [];
    const ctx = withHttp(base, (http) => timeAnswers(http, acceptedAt));
    const contactsStream = ghlStream('contacts');
    const tasksStream = ghlStream('contact.tasks');
    const notesStream = ghlStream('contact.notes');

    let contacts = 0;
    let tasks = 0;
    let notes = 0;
    const started = performance.now();
    async function* contactPages(): AsyncGenerator<readonly JsonRecord[]> {
      for await (const page of contactsStream.read(ctx, { mode: 'full', state: undefined, params: {} })) yield page.records;
    }
    await forEachConcurrently(readAhead(contactPages()), options.concurrency, async (contact) => {
      contacts += 1;
      const params = { contactId: contact['id'] };
      // Awaited before adding: `tasks += await …` would read `tasks` before another worker's addition.
      const taskCount = await countRecords(tasksStream.read(ctx, { mode: 'full', state: undefined, params }));
      const noteCount = await countRecords(notesStream.read(ctx, { mode: 'full', state: undefined, params }));
      tasks += taskCount;
      notes += noteCount;
    });
    const elapsedMs = performance.now() - started;
    // The registry's limiter of (ghl, location) at this time scale: the one the context's client used.
    const limiterStats = limiterFor('ghl', SANDBOX_LOCATION_ID, ghl.limits, { timeScale: options.timeScale }).stats();
    const burst = [...limiterStats.windows].sort((a, b) => a.perMs - b.perMs)[0];
    const limiter = { meanCallMs: limiterStats.meanCallMs, marginMs: burst?.marginMs ?? 0 };
    return { client: 'ferry', contacts, tasks, notes, elapsedMs, acceptedAt, limiter, ...locationCounters(await served.stats(), SANDBOX_LOCATION_ID) };
  } finally {
    controller.abort();
    await contexts.close();
    // The next sync starts from a fresh budget, as a new process would.
    await forgetLimiters();
    await served.close();
  }
}
