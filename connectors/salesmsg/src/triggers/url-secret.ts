import { createHash, timingSafeEqual } from 'node:crypto';
import { FerryError, type ConnectorContext, type WebhookDelivery } from '@ferry/core';
import { settingsOf } from '../connection-settings.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function webhookRejected(message: string, hint: string, reason: string): FerryError {
  return new FerryError('WEBHOOK_REJECTED', message, { hint, details: { reason } });
}

/**
 * Salesmsg signs nothing, so a delivery proves itself with the secret in its URL. It is compared as SHA-256
 * digests with timingSafeEqual: equal lengths whatever was sent, and no timing hint about the secret.
 */
export function verifyUrlSecret(ctx: ConnectorContext, delivery: WebhookDelivery): void {
  const expected = settingsOf(ctx.config).webhookSecret;
  if (expected === undefined) {
    throw webhookRejected(
      `connection '${ctx.connection}' has no webhookSecret: Salesmsg deliveries cannot be told from anyone's`,
      `set webhookSecret (16+ random characters) on connection '${ctx.connection}' and put it at the end of the webhook URL in Salesmsg`,
      'no-secret-configured',
    );
  }
  const given = delivery.pathSecret ?? '';
  if (given === '' || !timingSafeEqual(digest(given), digest(expected))) {
    throw webhookRejected(
      'the webhook URL does not carry the connection\'s secret',
      `the URL configured in Salesmsg must end with the webhookSecret of connection '${ctx.connection}'`,
      given === '' ? 'missing-secret' : 'wrong-secret',
    );
  }
}
