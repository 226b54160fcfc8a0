export { connectRedis, redactRedisUrl, type RedisConnectionOptions } from './redis-connection.js';
