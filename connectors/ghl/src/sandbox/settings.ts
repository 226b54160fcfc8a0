import { FerryError, validateFaultRates, type FaultRates, type SandboxOptions } from '@ferry/core';
import { READ_SCOPE, WRITE_SCOPE } from '../spec/operations.js';

/** GHL's published limits: 100 requests per 10 s and 200,000 per day, per app per location. */
export const BURST_LIMIT = { max: 100, perMs: 10_000 } as const;
export const DAILY_LIMIT = { max: 200_000, perMs: 86_400_000 } as const;

/** The sandbox's default location (sub-account) when `extra.locations` is not given. */
export const SANDBOX_LOCATION_ID = 'sbxLocation000000001';
/** The agency (company) every sandbox location belongs to. */
export const SANDBOX_COMPANY_ID = 'sbxCompany0000000001';
/** OAuth app credentials the sandbox's token endpoint accepts unless `extra.oauthClients` says otherwise. */
export const SANDBOX_OAUTH_CLIENT = { clientId: 'sandbox-client-id', clientSecret: 'sandbox-client-secret' } as const;
/** Access tokens last a day, like the live API's. */
export const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 86_399;

/** The marketplace app the sandbox's OAuth client belongs to (`installedLocations` asks for its `appId`). */
export const SANDBOX_APP_ID = 'sbxApp00000000000001';
/** Scopes of the seeded agency token: contacts, and listing locations and minting their tokens. */
export const AGENCY_SCOPES = [READ_SCOPE, WRITE_SCOPE, 'oauth.readonly', 'oauth.write'] as const;

/** The agency (Company) access token seeded with the default tokens: it lists locations and mints their tokens. */
export function sandboxAgencyToken(companyId: string = SANDBOX_COMPANY_ID): string {
  return `agency-sandbox-${companyId}`;
}

/** The Private-Integration-like tokens seeded for a location: one with both scopes, one read-only. */
export function sandboxTokens(locationId: string): { readonly full: string; readonly readOnly: string } {
  return { full: `pit-sandbox-${locationId}`, readOnly: `pit-sandbox-${locationId}-readonly` };
}

/** A token the sandbox should know from the start (`extra.tokens`). */
export interface SeedToken {
  readonly token: string;
  readonly locationId: string;
  readonly scopes: readonly string[];
  /** Epoch ms; undefined never expires (Private Integration Tokens). */
  readonly expiresAt: number | undefined;
  /** A refresh token (used only with grant_type=refresh_token) instead of an access token. */
  readonly refresh: boolean;
  readonly userType: 'Location' | 'Company';
}

export interface GhlSandboxSettings {
  readonly baseUrl: string;
  readonly seed: number;
  /** Contacts seeded per location. */
  readonly size: number;
  readonly timeScale: number;
  readonly faults: FaultRates;
  readonly locations: readonly string[];
  /** Locations where the sandbox's app is not installed (left out of `installedLocations?isInstalled=true`). */
  readonly uninstalledLocations: readonly string[];
  readonly tokens: readonly SeedToken[];
  readonly defaultTokens: boolean;
  readonly accessTokenTtlMs: number;
  readonly searchLagMs: number;
  readonly allowDuplicates: boolean;
  readonly duplicatePriority: readonly ('email' | 'phone')[];
  readonly oauthClients: readonly { readonly clientId: string; readonly clientSecret: string }[];
  readonly rateWindowMode: 'fixed' | 'sliding';
  readonly recordRequests: boolean;
  /** Requests per day per location (GHL's is 200,000); a small one lets tests spend the daily quota. */
  readonly dailyLimit: number;
  readonly clock: () => number;
}

function invalid(what: string, expected: string): FerryError {
  return new FerryError('GHL_SANDBOX_OPTIONS', `sandbox option ${what} is invalid: expected ${expected}`, {
    hint: `fix ${what} in the sandbox options (see the GHL sandbox README in connectors/ghl)`,
  });
}

function stringList(value: unknown, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) throw invalid(what, 'a list of non-empty strings');
  return value as string[];
}

function nonNegative(value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(what, 'a number >= 0');
  return value;
}

function readTime(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  throw invalid(what, 'epoch milliseconds or an ISO date');
}

function readTokens(value: unknown, locations: readonly string[]): SeedToken[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalid('extra.tokens', 'a list of {token, locationId, scopes?, expiresAt?, refresh?}');
  return value.map((raw: unknown, i): SeedToken => {
    const where = `extra.tokens[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw invalid(where, 'an object');
    const t = raw as Record<string, unknown>;
    if (typeof t['token'] !== 'string' || t['token'] === '') throw invalid(`${where}.token`, 'a non-empty string');
    const locationId = t['locationId'] ?? locations[0];
    if (typeof locationId !== 'string' || !locations.includes(locationId)) throw invalid(`${where}.locationId`, `one of ${locations.join(', ')}`);
    return {
      token: t['token'],
      locationId,
      scopes: stringList(t['scopes'], `${where}.scopes`) ?? [READ_SCOPE, WRITE_SCOPE],
      expiresAt: readTime(t['expiresAt'], `${where}.expiresAt`),
      refresh: t['refresh'] === true,
      userType: t['userType'] === 'Company' ? 'Company' : 'Location',
    };
  });
}

/** Reads and checks the sandbox options; `extra` holds the GHL-specific ones (README lists them). */
export function readSettings(options: SandboxOptions): GhlSandboxSettings {
  const extra = options.extra ?? {};
  const locations = stringList(extra['locations'], 'extra.locations') ?? [SANDBOX_LOCATION_ID];
  if (locations.length === 0) throw invalid('extra.locations', 'at least one location id');
  const uninstalled = stringList(extra['uninstalledLocations'], 'extra.uninstalledLocations') ?? [];
  if (uninstalled.some((id) => !locations.includes(id))) throw invalid('extra.uninstalledLocations', `ids among ${locations.join(', ')}`);
  const timeScale = nonNegative(options.timeScale, 1, 'timeScale');
  const ttlSeconds = nonNegative(extra['accessTokenTtlSeconds'], DEFAULT_ACCESS_TOKEN_TTL_SECONDS, 'extra.accessTokenTtlSeconds');
  const priority = extra['duplicatePriority'] ?? ['email', 'phone'];
  if (!Array.isArray(priority) || priority.length === 0 || priority.some((p) => p !== 'email' && p !== 'phone')) {
    throw invalid('extra.duplicatePriority', "a list of 'email' and/or 'phone'");
  }
  const clients = extra['oauthClients'] ?? [SANDBOX_OAUTH_CLIENT];
  if (!Array.isArray(clients) || clients.some((c) => typeof c?.clientId !== 'string' || typeof c?.clientSecret !== 'string')) {
    throw invalid('extra.oauthClients', 'a list of {clientId, clientSecret}');
  }
  const clock = extra['clock'];
  if (clock !== undefined && typeof clock !== 'function') throw invalid('extra.clock', 'a function returning epoch milliseconds');
  const mode = extra['rateWindowMode'] ?? 'sliding';
  if (mode !== 'fixed' && mode !== 'sliding') throw invalid('extra.rateWindowMode', "'fixed' or 'sliding'");
  const dailyLimit = extra['dailyLimit'] ?? DAILY_LIMIT.max;
  if (typeof dailyLimit !== 'number' || !Number.isInteger(dailyLimit) || dailyLimit < 1) throw invalid('extra.dailyLimit', 'a whole number >= 1');
  let faults: FaultRates;
  try {
    faults = validateFaultRates(options.faults ?? {});
  } catch (error) {
    throw invalid('faults', error instanceof Error ? error.message : 'fault rates between 0 and 1');
  }
  return {
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    seed: options.seed ?? 1,
    size: Math.floor(nonNegative(options.size, 50, 'size')),
    timeScale,
    faults,
    locations,
    uninstalledLocations: uninstalled,
    tokens: readTokens(extra['tokens'], locations),
    defaultTokens: extra['defaultTokens'] !== false,
    accessTokenTtlMs: (ttlSeconds * 1000) / (timeScale > 0 ? timeScale : 1),
    searchLagMs: nonNegative(extra['searchLagMs'], 0, 'extra.searchLagMs'),
    allowDuplicates: extra['allowDuplicates'] === true,
    duplicatePriority: priority as ('email' | 'phone')[],
    oauthClients: clients as { clientId: string; clientSecret: string }[],
    rateWindowMode: mode,
    recordRequests: extra['recordRequests'] === true,
    dailyLimit,
    clock: clock === undefined ? () => Date.now() : (clock as () => number),
  };
}
