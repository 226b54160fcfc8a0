/**
 * Every key ferry keeps in Redis — rate budgets, locks, the run queue — starts with the project's prefix
 * (ferry.yaml's `redis.prefix`). Two projects on one Redis database share what their prefixes share: the same
 * prefix means one rate budget per GHL location between them, another prefix (a staging copy) its own budgets.
 */
export const DEFAULT_REDIS_PREFIX = 'ferry';

/** The key prefix of the shared rate windows under a project's prefix: `<prefix>:rate`. */
export function rateKeyPrefix(prefix: string | undefined): string {
  return `${prefix ?? DEFAULT_REDIS_PREFIX}:rate`;
}
