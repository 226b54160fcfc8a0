import { describe, expect, it } from 'vitest';
import { parseWebhookPath, redactWebhookPath, webhookPathOf } from './webhook-path.js';

describe('parseWebhookPath', () => {
  it('splits connection, trigger and secret, decoding each segment', () => {
    expect(parseWebhookPath('/webhooks/ghl')).toEqual({ connection: 'ghl', trigger: undefined, secret: undefined });
    expect(parseWebhookPath('/webhooks/salesmsg/contact.created')).toEqual({ connection: 'salesmsg', trigger: 'contact.created', secret: undefined });
    expect(parseWebhookPath('/webhooks/salesmsg/contact.created/s%2Fx')).toEqual({ connection: 'salesmsg', trigger: 'contact.created', secret: 's/x' });
    expect(parseWebhookPath('/webhooks/ghl/')).toEqual({ connection: 'ghl', trigger: undefined, secret: undefined });
  });

  it('tells paths elsewhere from webhook paths that name nothing', () => {
    expect(parseWebhookPath('/healthz')).toBe('outside');
    expect(parseWebhookPath('/webhooksx/a')).toBe('outside');
    expect(parseWebhookPath('/webhooks')).toBe('invalid');
    expect(parseWebhookPath('/webhooks/a/b/c/d')).toBe('invalid');
    expect(parseWebhookPath('/webhooks/a//c')).toBe('invalid');
    expect(parseWebhookPath('/webhooks/%E0%A4%A')).toBe('invalid');
  });
});

describe('redactWebhookPath', () => {
  it('masks the URL secret and secret query parameters, and nothing else', () => {
    expect(redactWebhookPath('/webhooks/salesmsg/contact.created/hunter2-long-secret')).toBe('/webhooks/salesmsg/contact.created/***');
    expect(redactWebhookPath('/webhooks/salesmsg/contact.created/a/b?x=1')).toBe('/webhooks/salesmsg/contact.created/***?x=1');
    expect(redactWebhookPath('/webhooks/ghl/ContactCreate?token=abc')).toBe('/webhooks/ghl/ContactCreate?token=***');
    expect(redactWebhookPath('/webhooks/ghl')).toBe('/webhooks/ghl');
    expect(redactWebhookPath('/metrics')).toBe('/metrics');
  });

  it('builds listing paths with the secret shown as ***', () => {
    expect(webhookPathOf('salesmsg', 'contact.created', true)).toBe('/webhooks/salesmsg/contact.created/***');
    expect(webhookPathOf('ghl', undefined, false)).toBe('/webhooks/ghl');
  });
});
