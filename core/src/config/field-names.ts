import { parsePath } from '../fieldmap/index.js';

/**
 * The record field a source path starts from (`address` for `address.city`, `tags` for `tags[].label`), or
 * undefined for paths that do not start at a record field (`$result.id`, `[0]`) or that do not parse (the
 * field map compiler reports those).
 */
export function sourcePathRoot(path: string): string | undefined {
  if (path.startsWith('$')) return undefined;
  try {
    const [first] = parsePath(path);
    return first?.kind === 'key' ? first.key : undefined;
  } catch {
    return undefined;
  }
}

/** The top-level field a map target writes (`address` for `address.city`). */
export function targetFieldRoot(target: string): string | undefined {
  return sourcePathRoot(target) ?? (target === '' ? undefined : target);
}
