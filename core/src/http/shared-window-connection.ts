import { LazyRedis } from '../coordination/lazy-redis.js';

/**
 * One Redis connection per URL and process for the shared rate windows, opened on the first admission. Its
 * scripts are short and must never wait behind a blocked BullMQ read, so it is not shared with other purposes.
 */
const connections = new Map<string, LazyRedis>();

export function sharedWindowConnection(url: string): LazyRedis {
  let connection = connections.get(url);
  if (connection === undefined) {
    connection = new LazyRedis(url, { purpose: 'shared rate budgets', connectTimeoutMs: 2000 });
    connections.set(url, connection);
  }
  return connection;
}

/** Closes every rate-window connection (process shutdown, tests); a later admission opens it again. */
export async function closeSharedWindowConnections(): Promise<void> {
  // Kept in the map: limiters hold them, and one they reopen must still be closed here next time.
  await Promise.all([...connections.values()].map((connection) => connection.close()));
}
