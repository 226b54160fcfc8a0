import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { FerryError, type WebhookDelivery } from '@ferry/core';
import { DEFAULT_WEBHOOK_MAX_AGE_SECONDS, DEFAULT_WEBHOOK_PUBLIC_KEY } from '../config.js';

/** A connection's webhook settings: the keys signatures are checked with, and how old a delivery may be. */
export interface WebhookSettings {
  readonly webhookPublicKey: string | undefined;
  readonly webhookLegacyPublicKey: string | undefined;
  readonly webhookMaxAgeSeconds: number;
}

/** The webhook settings of a connection's config, with defaults; a connection over many locations has them too. */
export function readWebhookSettings(config: Readonly<Record<string, unknown>>): WebhookSettings {
  const key = (name: string): string | undefined => {
    const value = config[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const maxAge = config['webhookMaxAgeSeconds'];
  return {
    webhookPublicKey: key('webhookPublicKey'),
    webhookLegacyPublicKey: key('webhookLegacyPublicKey'),
    webhookMaxAgeSeconds: typeof maxAge === 'number' && Number.isInteger(maxAge) ? maxAge : DEFAULT_WEBHOOK_MAX_AGE_SECONDS,
  };
}

/** The RSA key GHL publishes for the legacy `x-wh-signature` (shipped in `keys/`). */
function defaultLegacyKeyPem(): string {
  return readFileSync(new URL('../../keys/ghl-webhook-rsa.pem', import.meta.url), 'utf8');
}

const keys = new Map<string, KeyObject>();

/** A public key from PEM text or SPKI base64 (how GHL prints its Ed25519 key), parsed once. */
export function publicKeyOf(text: string, what: string): KeyObject {
  let key = keys.get(text);
  if (key !== undefined) return key;
  try {
    key = text.includes('-----BEGIN')
      ? createPublicKey(text)
      : createPublicKey({ key: Buffer.from(text.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
  } catch (error) {
    throw new FerryError('GHL_WEBHOOK_KEY_INVALID', `the ${what} is not a public key (PEM or SPKI base64)`, {
      hint: `fix ${what === 'Ed25519 key' ? 'webhookPublicKey' : 'webhookLegacyPublicKey'} on the GHL connection`,
      cause: error,
    });
  }
  keys.set(text, key);
  return key;
}

function header(delivery: WebhookDelivery, name: string): string | undefined {
  const direct = delivery.headers[name];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(delivery.headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

function rejected(message: string, hint: string): FerryError {
  return new FerryError('WEBHOOK_REJECTED', message, { hint });
}

/**
 * Checks a delivery's signature over the raw body bytes: `x-ghl-signature` (Ed25519, the current scheme) or,
 * failing that, the legacy `x-wh-signature` (RSA-SHA256). Which header is present decides the scheme.
 */
export function verifySignature(delivery: WebhookDelivery, config: Pick<WebhookSettings, 'webhookPublicKey' | 'webhookLegacyPublicKey'>): 'ed25519' | 'rsa-sha256' {
  const ed25519 = header(delivery, 'x-ghl-signature');
  if (ed25519 !== undefined && ed25519 !== '') {
    const key = publicKeyOf(config.webhookPublicKey ?? DEFAULT_WEBHOOK_PUBLIC_KEY, 'Ed25519 key');
    if (!verify(null, delivery.rawBody, key, Buffer.from(ed25519, 'base64'))) {
      throw rejected('x-ghl-signature does not match the body', 'the delivery was altered or signed with another key: check webhookPublicKey on the GHL connection');
    }
    return 'ed25519';
  }
  const legacy = header(delivery, 'x-wh-signature');
  if (legacy !== undefined && legacy !== '') {
    const key = publicKeyOf(config.webhookLegacyPublicKey ?? defaultLegacyKeyPem(), 'RSA key');
    if (!verify('sha256', delivery.rawBody, key, Buffer.from(legacy, 'base64'))) {
      throw rejected('x-wh-signature does not match the body', 'the delivery was altered or signed with another key: check webhookLegacyPublicKey on the GHL connection');
    }
    return 'rsa-sha256';
  }
  throw rejected('the delivery carries no x-ghl-signature or x-wh-signature header', 'only GHL can call this endpoint: point the app webhook URL at it, never a public form');
}

/** Rejects a delivery whose `timestamp` is further than `maxAgeSeconds` from when it arrived (replays). */
export function checkFreshness(timestamp: unknown, receivedAt: Date, maxAgeSeconds: number): void {
  const sent = typeof timestamp === 'string' ? Date.parse(timestamp) : typeof timestamp === 'number' ? timestamp : Number.NaN;
  if (Number.isNaN(sent)) {
    throw rejected('the delivery has no readable timestamp, so a replay cannot be told apart', 'GHL puts an ISO timestamp in every delivery: is something else calling this endpoint?');
  }
  const ageMs = Math.abs(receivedAt.getTime() - sent);
  if (ageMs > maxAgeSeconds * 1000) {
    throw rejected(`the delivery is ${Math.round(ageMs / 1000)} s away from its timestamp (limit ${maxAgeSeconds} s)`, 'a replayed or long-delayed delivery: if clocks drift, fix NTP or raise webhookMaxAgeSeconds');
  }
}
