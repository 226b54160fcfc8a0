import { FerryError, type JsonSchema } from '@ferry/core';
import { API_HOST, DEFAULT_API_VERSION, DEFAULT_BASE_URL, VERSION_PREFIX } from './api-table.js';

/** Which list route the `contacts` stream reads (see streams/contact-pages.ts). */
export type ContactsRoute = 'auto' | 'list' | 'legacy';

/** A connection's settings with every default applied. */
export interface SalesmsgSettings {
  /** The versioned API base, e.g. `https://api.salesmessage.com/pub/v2.3`. */
  readonly baseUrl: string;
  readonly apiVersion: string;
  readonly accountId: string | undefined;
  readonly pageSize: number;
  readonly webhookSecret: string | undefined;
  /** ISO country numbers without a `+` prefix are read in. */
  readonly defaultCountry: string;
  /** How far below the watermark an incremental read looks again for late records. */
  readonly overlapSeconds: number;
  readonly contactsRoute: ContactsRoute;
}

export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_OVERLAP_SECONDS = 300;

export const configSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    baseUrl: {
      type: 'string',
      pattern: '^https?://',
      default: DEFAULT_BASE_URL,
      description: 'API base URL. A URL ending in /pub/vX.Y is used as is; otherwise /pub/v<apiVersion> is appended (point it at a sandbox origin, e.g. http://127.0.0.1:4010).',
    },
    apiVersion: { type: 'string', pattern: '^\\d+\\.\\d+$', default: DEFAULT_API_VERSION, description: 'API version (v2.1 and v2.2 still answer).' },
    accountId: {
      type: ['string', 'integer'],
      description: 'The Salesmsg account: the rate budget (60 requests a minute) is shared by every connection of one account.',
    },
    pageSize: { type: 'integer', minimum: 1, maximum: 500, default: DEFAULT_PAGE_SIZE, description: 'Records asked for per page (the API may serve fewer).' },
    webhookSecret: {
      type: 'string',
      minLength: 16,
      description: 'The unguessable secret in the webhook URL given to Salesmsg (…/webhooks/salesmsg/<trigger>/<secret>). Salesmsg signs nothing: this is what keeps strangers out.',
    },
    defaultCountry: { type: 'string', pattern: '^[A-Z]{2}$', default: 'US', description: 'Country of phone numbers written without a +prefix.' },
    overlapSeconds: {
      type: 'integer',
      minimum: 0,
      maximum: 86_400,
      default: DEFAULT_OVERLAP_SECONDS,
      description: 'Incremental reads look again at records updated this long before the watermark (late writes); records already read are skipped.',
    },
    contactsRoute: {
      enum: ['auto', 'list', 'legacy'],
      default: 'auto',
      description: "How the contacts stream lists: 'list' is POST /contacts/list (needs contacts:write, sic), 'legacy' is GET /contacts, 'auto' tries the first and falls back when the token lacks the scope.",
    },
  },
};

function configError(message: string, hint: string): FerryError {
  return new FerryError('SALESMSG_CONFIG', message, { hint });
}

/**
 * The versioned base URL: a URL ending in `/pub/vX.Y` is kept (and must agree with an explicit apiVersion);
 * any other URL (an origin, a proxy path) gets `/pub/v<apiVersion>` appended.
 */
export function resolveBaseUrl(baseUrl: string | undefined, apiVersion: string | undefined): { baseUrl: string; apiVersion: string } {
  const base = (baseUrl ?? API_HOST).replace(/\/+$/, '');
  if (!URL.canParse(base)) throw configError(`baseUrl '${base}' is not a URL`, 'set baseUrl to an absolute URL such as https://api.salesmessage.com/pub/v2.3');
  const versioned = VERSION_PREFIX.exec(base)?.[1];
  if (versioned !== undefined) {
    if (apiVersion !== undefined && apiVersion !== versioned) {
      throw configError(`baseUrl ends in /pub/v${versioned} but apiVersion is ${apiVersion}`, 'drop one of them, or make them agree');
    }
    return { baseUrl: base, apiVersion: versioned };
  }
  const version = apiVersion ?? DEFAULT_API_VERSION;
  return { baseUrl: `${base}/pub/v${version}`, apiVersion: version };
}

function optionalString(config: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = config[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw configError(`${key} must be a string`, `fix ${key} of the Salesmsg connection in ferry.yaml`);
}

function integer(config: Readonly<Record<string, unknown>>, key: string, fallback: number, min: number, max: number): number {
  const value = config[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw configError(`${key} must be an integer from ${min} to ${max}`, `fix ${key} of the Salesmsg connection in ferry.yaml`);
  }
  return value;
}

/** Reads a connection's config (already validated against configSchema by the loader) with its defaults. */
export function readSettings(config: Readonly<Record<string, unknown>>): SalesmsgSettings {
  const { baseUrl, apiVersion } = resolveBaseUrl(optionalString(config, 'baseUrl'), optionalString(config, 'apiVersion'));
  const route = config['contactsRoute'] ?? 'auto';
  if (route !== 'auto' && route !== 'list' && route !== 'legacy') {
    throw configError(`contactsRoute ${JSON.stringify(route)} is unknown`, "use 'auto', 'list' or 'legacy'");
  }
  const country = optionalString(config, 'defaultCountry') ?? 'US';
  if (!/^[A-Z]{2}$/.test(country)) throw configError(`defaultCountry '${country}' is not a two-letter country code`, 'use an ISO 3166 code such as US, CA or GB');
  return {
    baseUrl,
    apiVersion,
    accountId: optionalString(config, 'accountId'),
    pageSize: integer(config, 'pageSize', DEFAULT_PAGE_SIZE, 1, 500),
    webhookSecret: optionalString(config, 'webhookSecret'),
    defaultCountry: country,
    overlapSeconds: integer(config, 'overlapSeconds', DEFAULT_OVERLAP_SECONDS, 0, 86_400),
    contactsRoute: route,
  };
}

/** Settings are read once per context (they are on every call's path). */
const cache = new WeakMap<object, SalesmsgSettings>();

export function settingsOf(config: Readonly<Record<string, unknown>>): SalesmsgSettings {
  let settings = cache.get(config);
  if (settings === undefined) {
    settings = readSettings(config);
    cache.set(config, settings);
  }
  return settings;
}
