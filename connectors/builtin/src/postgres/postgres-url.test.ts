import { describe, expect, it } from 'vitest';
import { ferryErrorOf } from '@ferry/core/testing';
import { postgresAddress, withoutPassword } from './postgres-url.js';

describe('PostgreSQL connection URLs', () => {
  it('says where a URL points without its user or password', () => {
    expect(postgresAddress('postgres://ferry:s3cr%40t@db.example.com:6543/warehouse?sslmode=require')).toEqual({ where: 'db.example.com:6543/warehouse', password: 's3cr@t' });
    expect(postgresAddress('postgresql://127.0.0.1/test')).toEqual({ where: '127.0.0.1:5432/test', password: undefined });
  });

  it('refuses URLs that are not PostgreSQL ones, never repeating them', async () => {
    const notUrl = await ferryErrorOf(Promise.resolve().then(() => postgresAddress('postgres://u:hunter22@host:port/db')));
    expect(notUrl.code).toBe('POSTGRES_URL_INVALID');
    expect(`${notUrl.message} ${notUrl.hint ?? ''}`).not.toContain('hunter22');
    const mysql = await ferryErrorOf(Promise.resolve().then(() => postgresAddress('mysql://u:hunter22@host/db')));
    expect(mysql.code).toBe('POSTGRES_URL_INVALID');
    expect(mysql.message).not.toContain('hunter22');
  });

  it('scrubs the password, raw or URL-encoded, from text', () => {
    expect(withoutPassword('failed for s3cr@t and s3cr%40t', 's3cr@t')).toBe('failed for *** and ***');
    expect(withoutPassword('nothing to hide', undefined)).toBe('nothing to hide');
  });
});
