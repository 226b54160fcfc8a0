import { forgetLimiters, type HttpClient, type HttpRequest, type HttpResponse } from '@ferry/core';
import { ghlContexts, ghlStream, withHttp } from './ghl-connection.js';
import type { PageReader } from './page-reader.js';

/** The client, keeping each request's body (as sent: serialised when asked) to compare both clients' pages. */
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
 * Reads every contact through the connector's `contacts` stream on the runtime's client for a connection, as a
 * pipeline run does: the context factory gives the connector's HTTP profile, a static token and the shared
 * limiter (unthrottled here: timeScale 0). Each step is one page of the stream.
 */
export function openFerryReader(baseUrl: string): PageReader {
  const controller = new AbortController();
  const contexts = ghlContexts(baseUrl, 0, controller.signal);
  const sent: unknown[] = [];
  const ctx = withHttp(contexts.context('ghl'), (http) => keepBodies(http, sent));
  const pages = ghlStream('contacts').read(ctx, { mode: 'full', state: undefined, params: {} })[Symbol.asyncIterator]();
  return {
    client: 'ferry',
    async next() {
      const step = await pages.next();
      return step.done === true ? undefined : step.value.records.length;
    },
    bodies: () => sent.map((body) => JSON.stringify(body)),
    async close() {
      await pages.return?.();
      controller.abort();
      await contexts.close();
      await forgetLimiters();
    },
  };
}
