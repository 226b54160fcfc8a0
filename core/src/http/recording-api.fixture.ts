import { createServer, type Server } from 'node:http';

/** A loopback API for limiter tests: records when each request arrived and answers `{}` after `delayMs`. */
export interface RecordingApi {
  readonly url: string;
  /** performance.now() of every request, in arrival order. */
  readonly arrivals: number[];
  close(): Promise<void>;
}

export async function serveRecordingApi(delayMs: number): Promise<RecordingApi> {
  const arrivals: number[] = [];
  const server: Server = createServer((_req, res) => {
    arrivals.push(performance.now());
    setTimeout(() => res.end('{}'), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The most arrivals in any span of `windowMs` (what a sliding-window server would have counted at its peak). */
export function peakIn(arrivals: readonly number[], windowMs: number): number {
  const sorted = [...arrivals].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end += 1) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start += 1;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}
