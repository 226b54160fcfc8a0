export { connectRedis, redactRedisUrl, type RedisConnectionOptions } from './redis-connection.js';
export { DEFAULT_LOCK_TTL_MS, DistributedLock, type DistributedLockOptions, type LockAttempt, type LockWaitOptions, type LockedWork } from './distributed-lock.js';
export { LazyRedis } from './lazy-redis.js';
export { DEFAULT_REDIS_PREFIX, rateKeyPrefix } from './redis-prefix.js';
