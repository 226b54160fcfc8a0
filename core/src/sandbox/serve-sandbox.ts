import type { RequestHandler } from 'msw';
import type { SandboxDef, SandboxInstance, SandboxOptions } from '../contract/sandbox.js';
import { validateFaultRates } from './fault-injector.js';
import { jsonResponse } from './json-response.js';
import { listenWithHandlers, type ServeHandlersOptions } from './serve-handlers.js';

export type ServeSandboxOptions = Omit<SandboxOptions, 'baseUrl'> & ServeHandlersOptions;

export interface ServedSandbox {
  readonly url: string;
  readonly port: number;
  readonly instance: SandboxInstance;
  close(): Promise<void>;
}

/**
 * Serves a connector's sandbox on loopback. The port is bound first so the instance is built with the URL it is
 * really reachable at (its handlers match on it); admin routes under `/__sandbox/` expose its state and faults.
 */
export async function serveSandbox(def: SandboxDef, options: ServeSandboxOptions = {}): Promise<ServedSandbox> {
  const { host, port, onUnhandled, onError, ...sandboxOptions } = options;
  let handlers: readonly RequestHandler[] = [];
  const server = await listenWithHandlers(() => handlers, {
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    ...(onUnhandled === undefined ? {} : { onUnhandled }),
    ...(onError === undefined ? {} : { onError }),
  });
  let instance: SandboxInstance;
  try {
    instance = def.create({ ...sandboxOptions, baseUrl: server.url });
  } catch (error) {
    await server.close();
    throw error;
  }
  handlers = [...(await adminHandlers(server.url, instance)), ...instance.handlers];
  return { url: server.url, port: server.port, instance, close: () => server.close() };
}

async function adminHandlers(url: string, instance: SandboxInstance): Promise<RequestHandler[]> {
  const { http } = await import('msw');
  return [
    http.get(`${url}/__sandbox/state`, () => jsonResponse(instance.snapshot())),
    http.get(`${url}/__sandbox/stats`, () => jsonResponse(instance.stats())),
    http.post(`${url}/__sandbox/faults`, async ({ request }) => {
      let rates;
      try {
        rates = validateFaultRates(await request.json());
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return jsonResponse({ statusCode: 400, message }, { status: 400 });
      }
      instance.setFaults(rates);
      return jsonResponse({ faults: rates });
    }),
  ];
}
