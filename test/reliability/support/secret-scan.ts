import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir` (recursively) with the secrets found in its bytes, as-is or base64/hex/URL-encoded. */
export function filesHoldingSecrets(dir: string, secrets: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (at: string): void => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const hits = secretsIn(readFileSync(path), secrets);
        if (hits.length > 0) found.push(`${path}: ${hits.length} secret(s)`);
      }
    }
  };
  walk(dir);
  return found;
}

/** Which of `secrets` occur in `bytes` (raw, base64, hex or percent-encoded). */
export function secretsIn(bytes: Buffer | string, secrets: readonly string[]): string[] {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return secrets.filter((secret) => {
    const forms = [secret, Buffer.from(secret).toString('base64').slice(0, -4), Buffer.from(secret).toString('hex'), encodeURIComponent(secret)];
    return forms.some((form) => form.length >= 8 && buffer.includes(form));
  });
}

export function fileMode(path: string): number {
  return statSync(path).mode & 0o777;
}
