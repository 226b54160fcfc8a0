import type { HttpStats } from '../contract/http.js';
import type { RunCallStats } from '../engine/run-types.js';

/**
 * One run's API figures from its connections' clients: calls, 429s and retries add up; utilization is the
 * busiest connection's (the one whose budget bounds the run).
 */
export function combineHttpStats(perConnection: Readonly<Record<string, Readonly<HttpStats>>>): RunCallStats {
  let apiCalls = 0;
  let rateLimited = 0;
  let retries = 0;
  let utilization = 0;
  for (const stats of Object.values(perConnection)) {
    apiCalls += stats.calls;
    rateLimited += stats.rateLimited;
    retries += stats.retries;
    utilization = Math.max(utilization, stats.utilization);
  }
  return { apiCalls, rateLimited, retries, utilization };
}
