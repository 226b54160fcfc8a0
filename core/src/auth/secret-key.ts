import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FerryError } from '../errors/ferry-error.js';

export const SECRET_KEY_ENV = 'FERRY_SECRET_KEY';
const KEY_BYTES = 32;
const GENERATE_HINT = 'generate one with `openssl rand -base64 32`';

/** Where the generated key of a project lives when FERRY_SECRET_KEY is not set. */
export function defaultKeyFile(projectDir: string): string {
  return join(projectDir, '.ferry', 'secret.key');
}

/** A 32-byte key from base64 (standard or URL-safe) or 64 hex digits; a clear error for anything else. */
export function parseSecretKey(text: string, source: string): Buffer {
  const value = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-f]{64}$/i.test(value)) key = Buffer.from(value, 'hex');
  else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) key = Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
  if (key?.length !== KEY_BYTES) {
    throw new FerryError('AUTH_SECRET_KEY_INVALID', `${source} is not a 32-byte key in base64 or hex`, {
      hint: `set it to 32 random bytes, base64 or hex encoded: ${GENERATE_HINT}`,
      details: { source, systemic: true },
    });
  }
  return key;
}

function errno(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

/**
 * The key that encrypts stored tokens: FERRY_SECRET_KEY when set, else the project's key file, created on first
 * use (0600 in a 0700 directory). A key file others can read is refused: whoever reads it reads every token.
 */
export function loadSecretKey(options: { keyFile: string; env?: Readonly<Record<string, string | undefined>> }): Buffer {
  const fromEnv = (options.env ?? process.env)[SECRET_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseSecretKey(fromEnv, SECRET_KEY_ENV);
  const file = options.keyFile;
  try {
    return readKeyFile(file);
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw error;
  }
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    // 'wx' fails if another process created the file meanwhile: then that key is the one to use.
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    if (process.platform !== 'win32') chmodSync(file, 0o600);
  } catch (error) {
    if (errno(error) !== 'EEXIST') {
      throw new FerryError('AUTH_SECRET_KEY_UNWRITABLE', `cannot create the token key file ${file}`, {
        hint: `make ${dir} writable, or set ${SECRET_KEY_ENV} (${GENERATE_HINT})`,
        cause: error,
        details: { systemic: true },
      });
    }
  }
  return readKeyFile(file);
}

function readKeyFile(file: string): Buffer {
  const stats = statSync(file);
  if (process.platform !== 'win32' && (stats.mode & 0o077) !== 0) {
    throw new FerryError('AUTH_SECRET_KEY_EXPOSED', `the token key file ${file} can be read by other users (mode ${(stats.mode & 0o777).toString(8)})`, {
      hint: `run \`chmod 600 ${file}\`, then check nobody copied it; or set ${SECRET_KEY_ENV} instead`,
      details: { systemic: true },
    });
  }
  return parseSecretKey(readFileSync(file, 'utf8'), file);
}
