import { http, HttpResponse, type RequestHandler } from 'msw';
import {
  FerryError,
  serveSandbox,
  type FaultRates,
  type SandboxDef,
  type SandboxInstance,
  type SandboxOptions,
  type ServeSandboxOptions,
} from '@ferry/core';
import { READ_SCOPE, WRITE_SCOPE } from '../spec/operations.js';
import { endpointHandlers, type Endpoint } from './endpoint.js';
import { contactEndpoints } from './routes/contacts.js';
import { listingEndpoints } from './routes/listing.js';
import { oauthHandlers } from './routes/oauth.js';
import { relationEndpoints } from './routes/relations.js';
import { noteEndpoints, taskEndpoints } from './routes/tasks-notes.js';
import { SandboxWorld, type RecordedRequest } from './sandbox-world.js';
import { readSettings, SANDBOX_OAUTH_CLIENT } from './settings.js';

export interface GhlSandboxInstance extends SandboxInstance {
  /** Requests received so far (only with `extra.recordRequests: true`). */
  requests(): readonly RecordedRequest[];
  clearRequests(): void;
  /** The sandbox's clock (epoch ms), which `advanceClock` moves: expire tokens without waiting. */
  now(): number;
  advanceClock(ms: number): void;
  /** An authorization code as the marketplace's consent page would hand out. */
  issueAuthorizationCode(input?: { locationId?: string; scopes?: readonly string[]; clientId?: string; redirectUri?: string }): string;
  /** Ids of the seeded locations, in order. */
  locationIds(): readonly string[];
}

/**
 * Order matters: msw answers with the first matching handler, so literal paths (`/contacts/search`,
 * `.../campaigns/removeAll`) come before the `{contactId}` patterns they would also match; and msw tries
 * handlers one by one, so the busiest routes (search, get, update) come first.
 */
const ENDPOINTS: readonly Endpoint[] = [...listingEndpoints, ...contactEndpoints, ...taskEndpoints, ...noteEndpoints, ...relationEndpoints];

export function createGhlSandbox(options: SandboxOptions): GhlSandboxInstance {
  const settings = readSettings(options);
  const world = new SandboxWorld(settings);
  const handlers: RequestHandler[] = [
    ...ENDPOINTS.flatMap((endpoint) => endpointHandlers(world, endpoint)),
    ...oauthHandlers(world),
    http.all(`${settings.baseUrl}/*`, ({ request }) => {
      const { pathname } = new URL(request.url);
      if (pathname.startsWith('/__sandbox/')) return undefined;
      return HttpResponse.json({ statusCode: 404, message: `Cannot ${request.method} ${pathname}`, error: 'Not Found' }, { status: 404 });
    }),
  ];
  return {
    handlers,
    snapshot: () => world.snapshot(),
    stats: () => world.stats(),
    setFaults: (faults: FaultRates) => world.faults.setRates(faults),
    requests: () => [...world.recorded],
    clearRequests: () => {
      world.recorded.length = 0;
    },
    now: () => world.now(),
    advanceClock: (ms) => world.advanceClock(ms),
    issueAuthorizationCode(input = {}) {
      const locationId = input.locationId ?? settings.locations[0] ?? '';
      const location = world.locations.get(locationId);
      if (location === undefined) {
        throw new FerryError('GHL_SANDBOX_OPTIONS', `the sandbox has no location ${locationId}`, {
          hint: `use one of ${settings.locations.join(', ')} or add it to extra.locations`,
        });
      }
      return world.tokens.issueCode({
        locationId,
        companyId: location.companyId,
        scopes: input.scopes ?? [READ_SCOPE, WRITE_SCOPE],
        clientId: input.clientId ?? SANDBOX_OAUTH_CLIENT.clientId,
        redirectUri: input.redirectUri,
      });
    },
    locationIds: () => [...settings.locations],
  };
}

/** The GHL sandbox as the connector contract wants it (`ferry sandbox ghl`, tests, benchmarks). */
export const ghlSandbox: SandboxDef & { create(options: SandboxOptions): GhlSandboxInstance } = { create: createGhlSandbox };

/** Serves the sandbox on loopback and hands back its typed instance (with the admin routes under /__sandbox/). */
export async function serveGhlSandbox(
  options: ServeSandboxOptions = {},
): Promise<{ readonly url: string; readonly port: number; readonly sandbox: GhlSandboxInstance; close(): Promise<void> }> {
  let created: GhlSandboxInstance | undefined;
  const served = await serveSandbox(
    {
      create(o) {
        created = createGhlSandbox(o);
        return created;
      },
    },
    options,
  );
  if (created === undefined) throw new FerryError('GHL_SANDBOX_START', 'the GHL sandbox was not created', { hint: 'check the sandbox options' });
  return { url: served.url, port: served.port, sandbox: created, close: () => served.close() };
}
