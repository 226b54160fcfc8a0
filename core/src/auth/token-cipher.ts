import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FerryError } from '../errors/ferry-error.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM with a fresh 12-byte IV per write. The associated data (the connection name) binds a ciphertext
 * to its row: a token copied under another connection's name fails to open.
 */
export function sealSecret(key: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
}

export function openSecret(key: Buffer, sealed: string, associatedData: string): string {
  const [version, payload] = sealed.split('.', 2);
  const bytes = version === VERSION && payload !== undefined ? Buffer.from(payload, 'base64url') : Buffer.alloc(0);
  if (bytes.length < IV_BYTES + TAG_BYTES) {
    throw new FerryError('AUTH_TOKEN_UNREADABLE', `the stored token of '${associatedData}' is not in a format this ferry reads`, {
      hint: `run \`ferry auth ${associatedData}\` to store it again`,
      details: { systemic: true },
    });
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new FerryError('AUTH_TOKEN_UNREADABLE', `the stored token of '${associatedData}' cannot be decrypted: wrong key, or the data was altered`, {
      hint: `use the FERRY_SECRET_KEY (or .ferry/secret.key) it was stored with, or run \`ferry auth ${associatedData}\` again`,
      cause: error,
      details: { systemic: true },
    });
  }
}
