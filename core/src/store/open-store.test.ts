import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFerryError } from '../errors/index.js';
import { caught } from './fixtures/store-behaviour.js';
import { openStore } from './open-store.js';
import { testSchemas } from './postgres/fixtures/test-schemas.js';
import { PostgresStore } from './postgres/postgres-store.js';
import { SqliteStore } from './sqlite-store.js';

const schemas = testSchemas('open');

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-open-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

afterAll(async () => {
  await schemas.dropAll();
});

function fileOf(location: string, baseDir = dir): string {
  const store = openStore(location, baseDir);
  try {
    if (!(store instanceof SqliteStore)) throw new Error('expected a SQLite store');
    return store.file;
  } finally {
    store.close();
  }
}

describe('openStore', () => {
  it('opens SQLite files named by a path or a sqlite: location, relative to the project folder', () => {
    expect(fileOf('ferry.db')).toBe(join(dir, 'ferry.db'));
    expect(fileOf('./state/ferry.db')).toBe(join(dir, 'state', 'ferry.db'));
    expect(fileOf('sqlite:a.db')).toBe(join(dir, 'a.db'));
    expect(fileOf('sqlite://./b.db')).toBe(join(dir, 'b.db'));
    expect(fileOf(`sqlite://${join(dir, 'c.db')}`)).toBe(join(dir, 'c.db'));
    expect(fileOf(pathToFileURL(join(dir, 'd e.db')).href)).toBe(join(dir, 'd e.db'));
    expect(fileOf(join(dir, 'abs.db'), '/nowhere')).toBe(join(dir, 'abs.db'));
    expect(existsSync(join(dir, 'state', 'ferry.db'))).toBe(true);
  });

  it('expands ~ to the home folder', () => {
    const name = `ferry-open-test-${process.pid}-${Date.now()}.db`;
    try {
      expect(fileOf(`~/${name}`)).toBe(join(homedir(), name));
    } finally {
      for (const suffix of ['', '-wal', '-shm']) rmSync(join(homedir(), `${name}${suffix}`), { force: true });
    }
  });

  it('opens an in-memory store for tests', () => {
    const store = openStore(':memory:', dir);
    try {
      store.setValue('ns', 'k', 'v');
      expect(store.getValue('ns', 'k')).toBe('v');
      expect(store.inboxDepth()).toBe(0);
    } finally {
      store.close();
    }
  });

  it('opens a PostgreSQL store in the schema the URL names, and never shows the password', () => {
    const schema = schemas.newSchema();
    const store = openStore(`postgresql://postgres:s3cret@127.0.0.1:5432/test?schema=${schema}`, dir);
    try {
      if (!(store instanceof PostgresStore)) throw new Error('expected a PostgreSQL store');
      expect(store.schema).toBe(schema);
      expect(store.location).toBe(`postgresql://***@127.0.0.1:5432/test?schema=${schema}`);
      store.setValue('ns', 'k', 'v');
      expect(store.getValue('ns', 'k')).toBe('v');
      expect(store.inboxDepth()).toBe(0);
    } finally {
      store.close();
    }
  });

  it('refuses other kinds of database, with the locations it takes', () => {
    const error = caught(() => openStore('mysql://ferry:s3cret@db.internal/ferry', dir));
    expect(isFerryError(error) && error.code).toBe('STORE_UNSUPPORTED');
    expect(isFerryError(error) && error.hint).toContain('./ferry.db');
    expect(isFerryError(error) && error.hint).toContain('postgres://');
    expect(JSON.stringify(isFerryError(error) && error.toJSON())).not.toContain('s3cret');
    expect(isFerryError(error) && error.message).toContain('mysql://***@db.internal');
  });

  it('refuses an empty location', () => {
    const error = caught(() => openStore('  ', dir));
    expect(isFerryError(error) && error.code).toBe('STORE_LOCATION_EMPTY');
  });
});
