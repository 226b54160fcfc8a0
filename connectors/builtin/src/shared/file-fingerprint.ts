import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { fileError } from './file-errors.js';

/**
 * A checkpoint into a file is a byte offset; resuming from it is only right while the bytes before it are the same
 * bytes. The fingerprint (length + hash of the first bytes up to the offset) catches a file that was replaced or
 * rewritten, while appends leave it unchanged.
 */
export const FINGERPRINT_BYTES = 4096;

export async function fileFingerprint(file: string, upTo: number): Promise<string> {
  const length = Math.min(upTo, FINGERPRINT_BYTES);
  const buffer = Buffer.alloc(length);
  let handle;
  try {
    handle = await open(file, 'r');
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const digest = createHash('sha256').update(buffer.subarray(0, filled)).digest('hex').slice(0, 16);
    return `${filled}:${digest}`;
  } catch (error) {
    throw fileError(error, file, 'read');
  } finally {
    await handle?.close();
  }
}

/** Fingerprints for the states of successive pages; stops re-reading once the offset passes FINGERPRINT_BYTES. */
export class FingerprintTracker {
  private settled: string | undefined;

  constructor(private readonly file: string) {}

  async at(offset: number): Promise<string> {
    if (this.settled !== undefined) return this.settled;
    const fingerprint = await fileFingerprint(this.file, offset);
    if (offset >= FINGERPRINT_BYTES) this.settled = fingerprint;
    return fingerprint;
  }
}
