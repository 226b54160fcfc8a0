import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { defaultKeyFile, loadSecretKey, parseSecretKey } from './secret-key.js';

const dirs: string[] = [];
function tempProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-key-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('parseSecretKey', () => {
  it('accepts 32 bytes as base64, base64url or hex', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('base64'), 'X').equals(key)).toBe(true);
    expect(parseSecretKey(key.toString('base64url'), 'X').equals(key)).toBe(true);
    expect(parseSecretKey(`${key.toString('hex')}\n`, 'X').equals(key)).toBe(true);
  });

  it('rejects anything else with a hint to generate one', () => {
    for (const bad of ['short', randomBytes(16).toString('base64'), 'not base64 at all!', randomBytes(33).toString('hex')]) {
      expect(() => parseSecretKey(bad, 'FERRY_SECRET_KEY')).toThrow(expect.objectContaining({ code: 'AUTH_SECRET_KEY_INVALID', hint: expect.stringMatching(/openssl rand -base64 32/) }));
    }
  });
});

describe('loadSecretKey', () => {
  it('prefers FERRY_SECRET_KEY and then touches no file', () => {
    const project = tempProject();
    const key = randomBytes(32);
    const loaded = loadSecretKey({ keyFile: defaultKeyFile(project), env: { FERRY_SECRET_KEY: key.toString('base64') } });
    expect(loaded.equals(key)).toBe(true);
    expect(() => statSync(defaultKeyFile(project))).toThrow();
  });

  it('creates a 0600 key file in a 0700 directory once, then reuses it', () => {
    const file = defaultKeyFile(tempProject());
    const first = loadSecretKey({ keyFile: file, env: {} });
    expect(first).toHaveLength(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    expect(loadSecretKey({ keyFile: file, env: {} }).equals(first)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('base64'));
  });

  it('refuses a key file other users can read', () => {
    const file = defaultKeyFile(tempProject());
    loadSecretKey({ keyFile: file, env: {} });
    chmodSync(file, 0o644);
    expect(() => loadSecretKey({ keyFile: file, env: {} })).toThrow(
      expect.objectContaining({ code: 'AUTH_SECRET_KEY_EXPOSED', hint: expect.stringContaining(`chmod 600 ${file}`) }),
    );
  });
});
