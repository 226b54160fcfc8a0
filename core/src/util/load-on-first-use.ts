import { createRequire } from 'node:module';

const requireFromCore = createRequire(import.meta.url);

/**
 * A CommonJS library that loads the first time it is used instead of when `@ferry/core` is imported. Every `ferry`
 * command imports core's barrel, and most never reach the run queue, Redis, metrics, HTTP or phone numbers: each
 * process would otherwise pay for loading those libraries at start-up. Loading stays synchronous, so callers keep
 * their signatures. Only for packages without an ESM build of their own (or whose CommonJS build is the one wanted),
 * so that an `import` elsewhere gets the same module.
 */
export function onFirstUse<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireFromCore(specifier) as T);
}
