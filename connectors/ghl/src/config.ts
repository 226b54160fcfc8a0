import { FerryError, type ConnectorContext, type JsonSchema } from '@ferry/core';
import { GhlClient } from './client/ghl-client.js';

export const DEFAULT_BASE_URL = 'https://services.leadconnectorhq.com';
export const DEFAULT_AUTHORIZE_URL = 'https://marketplace.gohighlevel.com/v2/oauth/chooselocation';
export const API_VERSION = '2021-07-28';
/** The Ed25519 key (SPKI, base64) seen in third-party verifiers of `x-ghl-signature`; configurable. */
export const DEFAULT_WEBHOOK_PUBLIC_KEY = 'MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=';
export const DEFAULT_WEBHOOK_MAX_AGE_SECONDS = 300;
/** How far back an incremental read looks past its watermark: the search index lags by seconds. */
export const DEFAULT_OVERLAP_SECONDS = 60;

/** A GHL connection's settings in ferry.yaml. */
export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['locationId'],
  properties: {
    locationId: {
      type: 'string',
      minLength: 1,
      description: 'The sub-account (location) id: the part after /location/ in the GHL app URL',
    },
    companyId: {
      type: 'string',
      minLength: 1,
      description: 'The agency (company) id: with `partitions: discover`, the locations of this agency become partitions',
    },
    appId: {
      type: 'string',
      minLength: 1,
      description: 'The marketplace app id (its client id before the first dash): discovery lists the locations it is installed in',
    },
    baseUrl: {
      type: 'string',
      pattern: '^https?://',
      default: DEFAULT_BASE_URL,
      description: 'API base URL (a sandbox, a proxy or a white-label domain)',
    },
    apiVersion: { type: 'string', enum: [API_VERSION], default: API_VERSION, description: 'The Version header' },
    authorizeUrl: {
      type: 'string',
      pattern: '^https?://',
      default: DEFAULT_AUTHORIZE_URL,
      description: 'OAuth consent page (white-label: https://marketplace.leadconnectorhq.com/v2/oauth/chooselocation)',
    },
    tokenUrl: {
      type: 'string',
      pattern: '^https?://',
      description: 'OAuth token endpoint, when not <baseUrl>/oauth/token (a proxy)',
    },
    webhookPublicKey: {
      type: 'string',
      minLength: 1,
      description: 'Ed25519 public key for x-ghl-signature: SPKI base64 or PEM',
    },
    webhookLegacyPublicKey: {
      type: 'string',
      minLength: 1,
      description: 'RSA public key (PEM) for the legacy x-wh-signature; default the key GHL publishes',
    },
    webhookMaxAgeSeconds: {
      type: 'integer',
      minimum: 1,
      default: DEFAULT_WEBHOOK_MAX_AGE_SECONDS,
      description: 'Deliveries whose timestamp is older (or further ahead) than this are rejected',
    },
    incrementalOverlapSeconds: {
      type: 'integer',
      minimum: 0,
      default: DEFAULT_OVERLAP_SECONDS,
      description: 'Incremental reads start this long before the last watermark (the search index lags)',
    },
    searchPageLimit: { type: 'integer', minimum: 1, maximum: 500, default: 500, description: 'Contacts per search page' },
  },
};

export interface GhlConfig {
  readonly locationId: string;
  readonly baseUrl: string;
  readonly apiVersion: string;
  readonly authorizeUrl: string;
  readonly webhookPublicKey: string | undefined;
  readonly webhookLegacyPublicKey: string | undefined;
  readonly webhookMaxAgeSeconds: number;
  readonly incrementalOverlapSeconds: number;
  readonly searchPageLimit: number;
}

function text(config: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = config[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function integer(config: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const value = config[key];
  return typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}

/** The API base URL of a connection (no trailing slash). */
export function baseUrlOf(config: Readonly<Record<string, unknown>>): string {
  return (text(config, 'baseUrl') ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
}

/** The settings with defaults filled in; `account` (from the token) stands in for a missing locationId. */
export function readConfig(config: Readonly<Record<string, unknown>>, account?: string): GhlConfig {
  const locationId = text(config, 'locationId') ?? account;
  if (locationId === undefined) {
    throw new FerryError('GHL_LOCATION_MISSING', 'the GHL connection has no locationId', {
      hint: 'set locationId on the connection in ferry.yaml (the id after /location/ in the GHL app URL)',
    });
  }
  return {
    locationId,
    baseUrl: baseUrlOf(config),
    apiVersion: text(config, 'apiVersion') ?? API_VERSION,
    authorizeUrl: text(config, 'authorizeUrl') ?? DEFAULT_AUTHORIZE_URL,
    webhookPublicKey: text(config, 'webhookPublicKey'),
    webhookLegacyPublicKey: text(config, 'webhookLegacyPublicKey'),
    webhookMaxAgeSeconds: integer(config, 'webhookMaxAgeSeconds', DEFAULT_WEBHOOK_MAX_AGE_SECONDS),
    incrementalOverlapSeconds: integer(config, 'incrementalOverlapSeconds', DEFAULT_OVERLAP_SECONDS),
    searchPageLimit: integer(config, 'searchPageLimit', 500),
  };
}

const CLIENT_CACHE_KEY = 'ghl:client';

/** The typed client of a context's connection, made once per run (kept in the run's cache). */
export function clientOf(ctx: ConnectorContext): GhlClient {
  const cached = ctx.cache.get(CLIENT_CACHE_KEY);
  if (cached instanceof GhlClient) return cached;
  const config = readConfig(ctx.config, ctx.account);
  const client = new GhlClient(ctx.http, { locationId: config.locationId, apiVersion: config.apiVersion });
  ctx.cache.set(CLIENT_CACHE_KEY, client);
  return client;
}
