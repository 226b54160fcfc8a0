import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FerryError } from '@ferry/core';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Where `vite build` puts the app (studio/dist). */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../dist/', import.meta.url));

export interface StaticFile {
  readonly body: Buffer;
  readonly contentType: string;
  /** Hashed asset names never change content: the browser may keep them. */
  readonly immutable: boolean;
}

/** Checks that the built app is there; the studio cannot start without it. */
export function assertBuilt(dir: string): void {
  if (!existsSync(resolve(dir, 'index.html'))) {
    throw new FerryError('STUDIO_NOT_BUILT', `the studio's web app is not built (no ${resolve(dir, 'index.html')})`, {
      hint: 'run `bash scripts/install.sh` (or `pnpm --filter @ferry/studio build`) in the ferry repository',
    });
  }
}

/** The file for a URL path, or undefined (unknown, or outside the app's directory). */
export function staticFile(dir: string, urlPath: string): StaticFile | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const name = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = resolve(dir, name);
  const rel = relative(dir, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || decoded.includes('\0')) return undefined;
  if (!existsSync(file) || !statSync(file).isFile()) return undefined;
  return {
    body: readFileSync(file),
    contentType: CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    immutable: rel.startsWith('assets'),
  };
}
