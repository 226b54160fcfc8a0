import { describe, expect, it } from 'vitest';
import { isFerryError } from '../../errors/index.js';
import { caught } from '../fixtures/store-behaviour.js';
import { isPostgresLocation, parsePostgresLocation, redactLocation } from './postgres-location.js';

describe('a PostgreSQL store location', () => {
  it('is told apart from SQLite locations', () => {
    expect(isPostgresLocation('postgres://h/db')).toBe(true);
    expect(isPostgresLocation(' PostgreSQL://h/db')).toBe(true);
    expect(isPostgresLocation('./postgres.db')).toBe(false);
    expect(isPostgresLocation('sqlite:postgres://x')).toBe(false);
  });

  it('takes its schema from the schema parameter (public by default) and gives the rest to the driver', () => {
    expect(parsePostgresLocation('postgres://ferry:s3cret@db.internal:5432/ferry?schema=ferry_prod&sslmode=require')).toEqual({
      connectionString: 'postgres://ferry:s3cret@db.internal:5432/ferry?sslmode=require',
      schema: 'ferry_prod',
      driverOptions: undefined,
      applicationName: undefined,
      redacted: 'postgres://***@db.internal:5432/ferry?schema=ferry_prod&sslmode=require',
    });
    expect(parsePostgresLocation('postgresql://db.internal/ferry')).toMatchObject({ connectionString: 'postgresql://db.internal/ferry', schema: 'public' });
    expect(parsePostgresLocation('postgres://h/db?options=-c%20work_mem%3D64MB&application_name=sync-a')).toMatchObject({
      driverOptions: '-c work_mem=64MB',
      applicationName: 'sync-a',
    });
  });

  it('never shows a password, in the user part or as a parameter', () => {
    expect(redactLocation('postgres://u:pw@h/db')).toBe('postgres://***@h/db');
    expect(redactLocation('postgres://h/db?user=u&password=pw&schema=x')).toBe('postgres://h/db?user=u&password=***&schema=x');
  });

  it('refuses schema names that would not mean the same quoted and unquoted, with the fix', () => {
    for (const schema of ['Ferry', 'ferry-prod', '1ferry', 'pg_catalog', 'a'.repeat(64), '']) {
      const error = caught(() => parsePostgresLocation(`postgres://u:s3cret@h/db?schema=${schema}`));
      expect(isFerryError(error) && error.code).toBe('STORE_LOCATION_INVALID');
      expect(isFerryError(error) && error.hint).toContain('lower-case');
      expect(JSON.stringify(isFerryError(error) && error.toJSON())).not.toContain('s3cret');
    }
    const twice = caught(() => parsePostgresLocation('postgres://h/db?schema=a&schema=b'));
    expect(isFerryError(twice) && twice.code).toBe('STORE_LOCATION_INVALID');
  });

  it('refuses what is not a URL without echoing the password', () => {
    const error = caught(() => parsePostgresLocation('postgres://u:s3cret@[bad/db'));
    expect(isFerryError(error) && error.code).toBe('STORE_LOCATION_INVALID');
    expect(isFerryError(error) && error.message).not.toContain('s3cret');
  });
});
