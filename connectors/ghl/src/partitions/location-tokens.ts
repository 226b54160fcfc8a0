import type { HttpClient, PartitionToken } from '@ferry/core';
import { FerryError } from '@ferry/core';

/** The location a token is minted for, and the app and agency it is minted through. */
export interface LocationTokenKey {
  readonly baseUrl: string;
  readonly appId: string;
  readonly companyId: string;
  readonly locationId: string;
}

interface Minted {
  readonly token: string;
  /** Epoch ms after which a new one is minted (ahead of its real expiry). */
  readonly renewAt: number;
  readonly scopes: readonly string[];
}

interface Entry {
  readonly pending: Promise<Minted>;
  settled: Minted | undefined;
}

/** Renewal starts this long before expiry, or at 90 % of the lifetime for short-lived tokens. */
const RENEW_AHEAD_MS = 5 * 60_000;

/**
 * Location tokens by location, for the whole process: every run of a location (scheduled runs of the service,
 * each partition of a CLI run) reuses the token until shortly before it expires, instead of minting one per run.
 * Only tokens are kept, never the agency client: each run mints through its own connection.
 */
const minted = new Map<string, Entry>();

function keyOf(key: LocationTokenKey): string {
  return [key.baseUrl, key.appId, key.companyId, key.locationId].join('\u0000');
}

function readMinted(body: unknown, now: number): Minted {
  const record: Readonly<Record<string, unknown>> = typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body } : {};
  const token = record['access_token'];
  if (typeof token !== 'string' || token === '') {
    throw new FerryError('GHL_UNEXPECTED_RESPONSE', 'POST /oauth/locationToken answered without an access_token', {
      hint: 'check that baseUrl points at the GHL API (or its sandbox) and that the agency token may mint location tokens (oauth.write)',
      details: { systemic: true },
    });
  }
  const expiresIn = typeof record['expires_in'] === 'number' && record['expires_in'] > 0 ? record['expires_in'] * 1000 : 86_399_000;
  const scopes = typeof record['scope'] === 'string' ? record['scope'].split(/\s+/).filter((s) => s !== '') : [];
  return { token, renewAt: now + expiresIn - Math.min(RENEW_AHEAD_MS, expiresIn / 10), scopes };
}

/**
 * The token of one location, minted from the agency token with POST /oauth/locationToken (form `companyId`,
 * `locationId`) through `agency`, the agency connection's client. Concurrent callers share one mint.
 */
export function locationToken(agency: HttpClient, key: LocationTokenKey, now: () => number = Date.now): PartitionToken {
  const cacheKey = keyOf(key);
  const mint = (): Promise<Minted> => {
    const entry: Entry = {
      pending: agency
        .request({
          method: 'POST',
          path: '/oauth/locationToken',
          form: { companyId: key.companyId, locationId: key.locationId },
          // Minting twice is harmless: a lost answer may be asked again.
          retrySafe: true,
          scope: 'oauth.write',
        })
        .then((response) => {
          entry.settled = readMinted(response.body, now());
          return entry.settled;
        }),
      settled: undefined,
    };
    // A failed mint is not kept: the next call tries again.
    entry.pending.catch(() => {
      if (minted.get(cacheKey) === entry) minted.delete(cacheKey);
    });
    minted.set(cacheKey, entry);
    return entry.pending;
  };
  const current = (): Promise<Minted> => {
    const entry = minted.get(cacheKey);
    if (entry !== undefined && (entry.settled === undefined || now() < entry.settled.renewAt)) return entry.pending;
    return mint();
  };
  return {
    getToken: async () => (await current()).token,
    async onUnauthorized(failedToken) {
      const entry = minted.get(cacheKey);
      // Another call may have replaced the refused token already.
      if (entry?.settled !== undefined && failedToken !== undefined && entry.settled.token !== failedToken) return true;
      if (entry?.settled === undefined && entry !== undefined) {
        await entry.pending;
        return true;
      }
      await mint();
      return true;
    },
    get scopes() {
      return minted.get(cacheKey)?.settled?.scopes ?? [];
    },
  };
}

/** Forgets every minted location token (tests that need a fresh process's view). */
export function forgetLocationTokens(): void {
  minted.clear();
}
