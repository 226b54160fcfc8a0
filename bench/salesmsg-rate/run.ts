/**
 * A full read of 3,000 Salesmsg contacts against the loopback sandbox, which enforces the API's limit (60 requests
 * a minute per account, then 429 for 60 s), time-scaled. Three clients read the same data, each against a fresh
 * sandbox, in one run:
 * - ferry: the connector's limits, throttled ahead of time (5 per 5 s and 60 per minute);
 * - reactive: no throttling ahead of time, waits the 60 s penalty after each 429;
 * - naive: no throttling, retries a 429 after 1 s (a common client default).
 * Reported: requests/s as a fraction of the ceiling (overall, and sustained: 60 / the time between the i-th and the
 * (i+60)-th accepted request, averaged), the 429s, the most requests the server accepted in any minute.
 *
 * The default time scale (10: a minute lasts 6 s) keeps a loopback call's latency (a few ms on a busy machine)
 * about as small beside the 5-second window as a real 200 ms call is beside the real one, so the fraction of the
 * ceiling carries over to the live API; much higher scales measure the machine's latency instead.
 *
 *   node --import tsx bench/salesmsg-rate/run.ts [--size 3000] [--page-size 20] [--time-scale 10]
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  closeAllPools,
  createHttpClient,
  createLimiter,
  createStaticTokenProvider,
  type ConnectorContext,
  type HttpClient,
  type HttpRequest,
  type HttpResponse,
  type Logger,
  type RateLimits,
} from '@ferry/core';
import { salesmsg } from '@ferry/connector-salesmsg';
import { SANDBOX_TOKENS, serveSalesmsgSandbox } from '@ferry/connector-salesmsg/sandbox';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '3000' },
    'page-size': { type: 'string', default: '20' },
    'time-scale': { type: 'string', default: '10' },
  },
});
const SIZE = Number(values.size);
const PAGE_SIZE = Number(values['page-size']);
const TIME_SCALE = Number(values['time-scale']);
const PER_MINUTE = 60;
const WINDOW_MS = 60_000 / TIME_SCALE;
const CEILING_PER_S = PER_MINUTE / (WINDOW_MS / 1000);

interface Variant {
  readonly name: string;
  readonly description: string;
  readonly limits: RateLimits;
}

const VARIANTS: readonly Variant[] = [
  { name: 'ferry', description: 'throttled ahead of time (connector limits)', limits: salesmsg.limits },
  { name: 'reactive', description: 'no throttle, waits the 60 s penalty after a 429', limits: { windows: [], penaltyMs: 60_000 } },
  { name: 'naive', description: 'no throttle, retries a 429 after 1 s', limits: { windows: [] } },
];

interface Outcome {
  readonly variant: Variant;
  readonly records: number;
  readonly accepted: number;
  readonly rateLimited: number;
  readonly elapsedMs: number;
  readonly overall: number;
  readonly sustained: number | undefined;
  readonly peakInMinute: number;
}

const log: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => log };

async function measure(variant: Variant): Promise<Outcome> {
  const served = await serveSalesmsgSandbox({ seed: 1, size: SIZE, timeScale: TIME_SCALE });
  try {
    const client = createHttpClient({
      connector: 'salesmsg',
      account: `bench-${variant.name}`,
      baseUrl: served.baseUrl,
      profile: salesmsg.http,
      limits: variant.limits,
      limiter: createLimiter(variant.limits, { timeScale: TIME_SCALE }),
      token: createStaticTokenProvider(SANDBOX_TOKENS.full),
      log,
      timeScale: TIME_SCALE,
      retry: { rateLimitedAttempts: 10_000 },
    });
    // Completion times of accepted calls: the server's arrival times plus a constant loopback latency.
    const acceptedAt: number[] = [];
    const http: HttpClient = {
      get stats() {
        return client.stats;
      },
      async request<T>(request: HttpRequest): Promise<HttpResponse<T>> {
        const response = await client.request<T>(request);
        acceptedAt.push(performance.now());
        return response;
      },
    };
    const ctx: ConnectorContext = {
      connection: 'salesmsg',
      config: { baseUrl: served.url, pageSize: PAGE_SIZE },
      account: `bench-${variant.name}`,
      http,
      log,
      signal: new AbortController().signal,
      baseDir: process.cwd(),
      cache: new Map(),
    };
    const stream = salesmsg.streams.find((s) => s.name === 'contacts');
    if (stream === undefined) throw new Error('the connector has no contacts stream');
    const ids = new Set<unknown>();
    const started = performance.now();
    for await (const page of stream.read(ctx, { mode: 'full', state: undefined, params: {} })) {
      for (const record of page.records) ids.add(record['id']);
    }
    const elapsedMs = performance.now() - started;
    const gaps = acceptedAt.slice(PER_MINUTE).map((at, i) => at - (acceptedAt[i] ?? at));
    const meanGap = gaps.length === 0 ? undefined : gaps.reduce((sum, gap) => sum + gap, 0) / gaps.length;
    const account = served.sandbox.stats()['account'] as { admitted: number; rateLimited: number; peakInWindow: number };
    await client.limiter.stop();
    return {
      variant,
      records: ids.size,
      accepted: account.admitted,
      rateLimited: account.rateLimited,
      elapsedMs,
      overall: account.admitted / (elapsedMs / 1000) / CEILING_PER_S,
      sustained: meanGap === undefined ? undefined : WINDOW_MS / meanGap,
      peakInMinute: account.peakInWindow,
    };
  } finally {
    await served.close();
  }
}

function fixed(value: number | undefined, digits: number): string {
  return value === undefined ? 'n/a' : value.toFixed(digits);
}

function report(outcomes: readonly Outcome[]): string {
  const lines = [
    `### ${new Date().toISOString()} — Node ${process.version}, ${SIZE} contacts, page size ${PAGE_SIZE}, time scale ${TIME_SCALE} (a minute lasts ${WINDOW_MS / 1000} s; ceiling ${CEILING_PER_S} req/s)`,
    '',
    '| client | records | requests accepted | 429s | elapsed (s) | rate / ceiling, overall | rate / ceiling, sustained | most accepted in any minute |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...outcomes.map(
      (o) =>
        `| ${o.variant.name} (${o.variant.description}) | ${o.records} | ${o.accepted} | ${o.rateLimited} | ${fixed(o.elapsedMs / 1000, 2)} | ${fixed(o.overall, 3)} | ${fixed(o.sustained, 3)} | ${o.peakInMinute} |`,
    ),
    '',
  ];
  const ferry = outcomes.find((o) => o.variant.name === 'ferry');
  if (ferry !== undefined) {
    const goals = (ferry.sustained ?? 0) >= 0.95 && ferry.rateLimited === 0 && ferry.records === SIZE;
    lines.push(
      `Goals (ferry: sustained rate ≥ 0.95 of the ceiling, 0 × 429, every record read): ${goals ? 'met' : 'NOT met'}. ` +
        'Overall can exceed 1: a fresh budget allows an initial burst within the first window.',
      '',
    );
  }
  return lines.join('\n');
}

const HEADING = '## Salesmsg: full read at the rate limit (bench/salesmsg-rate)';
const INTRO =
  'A full read of the contacts stream against the loopback sandbox enforcing 60 requests a minute then a 60-second 429, time-scaled. ' +
  'Run: `node --import tsx bench/salesmsg-rate/run.ts`. Newest run last.';

/** Appends the run under this bench's own heading, leaving every other section as it was. */
function appendToResults(text: string): string {
  const file = fileURLToPath(new URL('../RESULTS.md', import.meta.url));
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
  const start = current.indexOf(`${HEADING}\n`);
  let next: string;
  if (start < 0) {
    next = `${current.trimEnd()}\n\n${HEADING}\n\n${INTRO}\n\n${text}`;
  } else {
    const after = current.indexOf('\n## ', start + HEADING.length);
    const end = after < 0 ? current.length : after + 1;
    next = `${current.slice(0, end).trimEnd()}\n\n${text}\n${current.slice(end)}`;
  }
  writeFileSync(file, `${next.trimEnd()}\n`);
  return file;
}

const outcomes: Outcome[] = [];
for (const variant of VARIANTS) {
  process.stdout.write(`reading ${SIZE} contacts with the ${variant.name} client…\n`);
  outcomes.push(await measure(variant));
}
await closeAllPools();
const text = report(outcomes);
process.stdout.write(`\n${text}\n`);
process.stdout.write(`appended to ${appendToResults(text)}\n`);
