import { FerryError, validateFaultRates, type FaultRates, type SandboxOptions } from '@ferry/core';
import { OAUTH, SCOPES } from '../api-table.js';

/** The one account the sandbox simulates (rate limits count per account). */
export const SANDBOX_ACCOUNT_ID = 1001;

/** Personal Access Tokens the sandbox knows from the start (unless `extra.defaultTokens: false`). */
export const SANDBOX_TOKENS = {
  /** Every scope. */
  full: 'sbx-pat-full-access',
  /** Read scopes only: no contacts:write, so POST /contacts/list is refused. */
  readOnly: 'sbx-pat-read-only',
  /** An older token with the single scope `public-api`. */
  legacy: 'sbx-pat-public-api',
} as const;

/** OAuth app credentials the token endpoint accepts unless `extra.oauthClients` says otherwise. */
export const SANDBOX_OAUTH_CLIENT = { clientId: 'sandbox-client-id', clientSecret: 'sandbox-client-secret' } as const;

export const ALL_SCOPES: readonly string[] = [...SCOPES.read, ...SCOPES.write];

export interface SalesmsgSandboxSettings {
  /** Origin the handlers match on. */
  readonly origin: string;
  readonly seed: number;
  readonly size: number;
  /** 0 turns rate limiting off. */
  readonly timeScale: number;
  readonly faults: FaultRates;
  /** `sliding` (default) counts the last 60 s; `fixed` counts clock minutes. */
  readonly rateWindowMode: 'fixed' | 'sliding';
  readonly accessTokenTtlMs: number;
  readonly oauthClients: readonly { readonly clientId: string; readonly clientSecret: string }[];
  readonly defaultTokens: boolean;
  /** Extra static tokens: `{token, scopes?}`. */
  readonly tokens: readonly { readonly token: string; readonly scopes: readonly string[] }[];
  /** URLs that receive contact.created / contact.updated (and friends) when the API changes a contact. */
  readonly webhookUrls: readonly string[];
  /** Header carrying a delivery id on emitted webhooks; undefined sends none (the live API's is unknown). */
  readonly deliveryIdHeader: string | undefined;
  /** Reject a create whose number is already taken (422); default false: the API is assumed to allow it. */
  readonly uniqueNumbers: boolean;
  /** Largest page the list routes serve (bigger requests are clamped, as a paginator does). */
  readonly maxPageSize: number;
  readonly clock: () => number;
}

function invalid(what: string, expected: string): FerryError {
  return new FerryError('SALESMSG_SANDBOX_OPTIONS', `sandbox option ${what} is invalid: expected ${expected}`, {
    hint: `fix ${what} in the sandbox options (listed under Sandbox in connectors/salesmsg/README.md)`,
  });
}

function nonNegative(value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(what, 'a number >= 0');
  return value;
}

function urlList(value: unknown): string[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((url: unknown, i) => {
    if (typeof url !== 'string' || !URL.canParse(url)) throw invalid(`extra.webhookUrl[${i}]`, 'an absolute URL');
    return url;
  });
}

function tokenList(value: unknown): { token: string; scopes: string[] }[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid('extra.tokens', 'a list of {token, scopes?}');
  return value.map((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null) throw invalid(`extra.tokens[${i}]`, 'an object');
    const { token, scopes } = raw as { token?: unknown; scopes?: unknown };
    if (typeof token !== 'string' || token === '') throw invalid(`extra.tokens[${i}].token`, 'a non-empty string');
    if (scopes !== undefined && (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string'))) {
      throw invalid(`extra.tokens[${i}].scopes`, 'a list of scope names');
    }
    return { token, scopes: (scopes as string[] | undefined) ?? [...ALL_SCOPES] };
  });
}

/**
 * Reads the sandbox options. `extra` takes: webhookUrl (string or list), deliveryIdHeader, rateWindowMode
 * ('sliding' | 'fixed'), accessTokenTtlSeconds, oauthClients, tokens, defaultTokens, uniqueNumbers, maxPageSize,
 * clock (a function returning epoch ms).
 */
export function readSettings(options: SandboxOptions): SalesmsgSandboxSettings {
  const extra = options.extra ?? {};
  const timeScale = nonNegative(options.timeScale, 1, 'timeScale');
  const mode = extra['rateWindowMode'] ?? 'sliding';
  if (mode !== 'fixed' && mode !== 'sliding') throw invalid('extra.rateWindowMode', "'fixed' or 'sliding'");
  const clients = extra['oauthClients'] ?? [SANDBOX_OAUTH_CLIENT];
  if (!Array.isArray(clients) || clients.some((c: { clientId?: unknown; clientSecret?: unknown } | null) => typeof c?.clientId !== 'string' || typeof c.clientSecret !== 'string')) {
    throw invalid('extra.oauthClients', 'a list of {clientId, clientSecret}');
  }
  const clock = extra['clock'];
  if (clock !== undefined && typeof clock !== 'function') throw invalid('extra.clock', 'a function returning epoch milliseconds');
  const header = extra['deliveryIdHeader'];
  if (header !== undefined && (typeof header !== 'string' || header === '')) throw invalid('extra.deliveryIdHeader', 'a header name');
  let faults: FaultRates;
  try {
    faults = validateFaultRates(options.faults ?? {});
  } catch (error) {
    throw invalid('faults', error instanceof Error ? error.message : 'fault rates between 0 and 1');
  }
  const ttlSeconds = nonNegative(extra['accessTokenTtlSeconds'], OAUTH.accessTokenTtlSeconds, 'extra.accessTokenTtlSeconds');
  return {
    origin: new URL(options.baseUrl).origin,
    seed: options.seed ?? 1,
    size: Math.floor(nonNegative(options.size, 100, 'size')),
    timeScale,
    faults,
    rateWindowMode: mode,
    accessTokenTtlMs: (ttlSeconds * 1000) / (timeScale > 0 ? timeScale : 1),
    oauthClients: clients as { clientId: string; clientSecret: string }[],
    defaultTokens: extra['defaultTokens'] !== false,
    tokens: tokenList(extra['tokens']),
    webhookUrls: urlList(extra['webhookUrl']),
    deliveryIdHeader: header,
    uniqueNumbers: extra['uniqueNumbers'] === true,
    maxPageSize: Math.max(1, Math.floor(nonNegative(extra['maxPageSize'], 100, 'extra.maxPageSize'))),
    clock: clock === undefined ? () => Date.now() : (clock as () => number),
  };
}
