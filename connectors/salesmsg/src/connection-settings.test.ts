import { describe, expect, it } from 'vitest';
import { readSettings, resolveBaseUrl } from './connection-settings.js';

describe('resolveBaseUrl', () => {
  it('keeps a versioned URL, appends /pub/v<apiVersion> to anything else', () => {
    expect(resolveBaseUrl(undefined, undefined)).toEqual({ baseUrl: 'https://api.salesmessage.com/pub/v2.3', apiVersion: '2.3' });
    expect(resolveBaseUrl(undefined, '2.1').baseUrl).toBe('https://api.salesmessage.com/pub/v2.1');
    expect(resolveBaseUrl('https://api.salesmessage.com/pub/v2.2/', undefined)).toEqual({ baseUrl: 'https://api.salesmessage.com/pub/v2.2', apiVersion: '2.2' });
    expect(resolveBaseUrl('http://127.0.0.1:4010', undefined).baseUrl).toBe('http://127.0.0.1:4010/pub/v2.3');
    expect(resolveBaseUrl('https://proxy.example.com/salesmsg', '2.2').baseUrl).toBe('https://proxy.example.com/salesmsg/pub/v2.2');
  });

  it('refuses a base URL and a version that disagree, and a base URL that is no URL', () => {
    expect(() => resolveBaseUrl('https://api.salesmessage.com/pub/v2.2', '2.3')).toThrow(expect.objectContaining({ code: 'SALESMSG_CONFIG' }) as Error);
    expect(() => resolveBaseUrl('not a url', undefined)).toThrow(expect.objectContaining({ code: 'SALESMSG_CONFIG' }) as Error);
  });
});

describe('readSettings', () => {
  it('applies the defaults', () => {
    expect(readSettings({})).toEqual({
      baseUrl: 'https://api.salesmessage.com/pub/v2.3',
      apiVersion: '2.3',
      accountId: undefined,
      pageSize: 100,
      webhookSecret: undefined,
      defaultCountry: 'US',
      overlapSeconds: 300,
      contactsRoute: 'auto',
    });
    expect(readSettings({ accountId: 1001, pageSize: 20, contactsRoute: 'legacy' })).toMatchObject({ accountId: '1001', pageSize: 20, contactsRoute: 'legacy' });
  });

  it('says which setting is wrong', () => {
    expect(() => readSettings({ pageSize: 0 })).toThrow(/pageSize/);
    expect(() => readSettings({ contactsRoute: 'x' })).toThrow(/contactsRoute/);
    expect(() => readSettings({ defaultCountry: 'usa' })).toThrow(/defaultCountry/);
  });
});
