import { forgetLimiters, type HttpClient, type HttpRequest, type HttpResponse } from '@ferry/core';
import { ghlContexts, ghlStream, withHttp } from './ghl-connection.js';
import { timed, type ReadOutcome } from './read-outcome.js';

/** The client, keeping each request's body (as sent: serialised after the read) to compare both clients' pages. */
function keepBodies(http: HttpClient, bodies: unknown[]): HttpClient {
  return {
    get stats() {
      return http.stats;
    },
    request<T>(request: HttpRequest): Promise<HttpResponse<T>> {
      bodies.push(request.body);
      return http.request<T>(request);
    },
  };
}

/**
 * Reads every contact (or the first `maxPages` pages) through the connector's `contacts` stream on the
 * runtime's client for a connection, as a pipeline run does: the context factory gives the connector's HTTP
 * profile, a static token and the shared limiter (unthrottled here: timeScale 0).
 */
export async function readWithFerry(baseUrl: string, maxPages = Number.POSITIVE_INFINITY): Promise<ReadOutcome> {
  const controller = new AbortController();
  const contexts = ghlContexts(baseUrl, 0, controller.signal);
  const stream = ghlStream('contacts');
  try {
    const base = contexts.context('ghl');
    const sent: unknown[] = [];
    const ctx = withHttp(base, (http) => keepBodies(http, sent));
    const outcome = await timed(async () => {
      let records = 0;
      let pages = 0;
      for await (const page of stream.read(ctx, { mode: 'full', state: undefined, params: {} })) {
        records += page.records.length;
        pages += 1;
        if (pages >= maxPages) break;
      }
      return { client: 'ferry', records, pages, bodies: [] };
    });
    return { ...outcome, bodies: sent.map((body) => JSON.stringify(body)) };
  } finally {
    controller.abort();
    await contexts.close();
    await forgetLimiters();
  }
}
