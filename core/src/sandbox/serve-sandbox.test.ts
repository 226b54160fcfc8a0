import { afterEach, describe, expect, it } from 'vitest';
import { http, HttpResponse } from 'msw';
import { request } from 'undici';
import type { FaultRates, SandboxDef } from '../contract/sandbox.js';
import { serveSandbox, type ServedSandbox } from './serve-sandbox.js';
import { createFaultInjector, faultResponse } from './fault-injector.js';
import { mulberry32 } from './prng.js';

/** A minimal stateful sandbox: counts calls, injects faults through the shared injector. */
const counterSandbox: SandboxDef = {
  create(options) {
    let calls = 0;
    const injector = createFaultInjector(options.faults ?? {}, mulberry32(options.seed ?? 1));
    return {
      handlers: [
        // First in the list: a drawn fault answers before the real handlers (admin routes come before both).
        http.all('*', () => {
          const kind = injector.draw();
          return kind === undefined ? undefined : faultResponse(kind);
        }),
        http.get(`${options.baseUrl}/count`, () => HttpResponse.json({ calls: ++calls, baseUrl: options.baseUrl })),
      ],
      snapshot: () => ({ calls }),
      setFaults: (faults: FaultRates) => injector.setRates(faults),
      stats: () => ({ calls, faults: injector.counts() }),
    };
  },
};

let served: ServedSandbox | undefined;
afterEach(async () => {
  await served?.close();
  served = undefined;
});

describe('serveSandbox', () => {
  it('builds the instance with the URL it is served at, and exposes state and stats', async () => {
    served = await serveSandbox(counterSandbox, { seed: 7 });
    const first = await request(`${served.url}/count`);
    expect(await first.body.json()).toEqual({ calls: 1, baseUrl: served.url });
    const state = await request(`${served.url}/__sandbox/state`);
    expect(await state.body.json()).toEqual({ calls: 1 });
    const stats = await request(`${served.url}/__sandbox/stats`);
    expect(await stats.body.json()).toMatchObject({ calls: 1 });
  });

  it('changes fault rates at run time and rejects invalid ones', async () => {
    served = await serveSandbox(counterSandbox, {});
    const bad = await request(`${served.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ serverError: 2 }) });
    expect(bad.statusCode).toBe(400);
    expect(await bad.body.json()).toMatchObject({ message: "fault rate 'serverError' must be a number between 0 and 1" });

    const ok = await request(`${served.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ serverError: 1 }) });
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
    const failing = await request(`${served.url}/count`);
    expect(failing.statusCode).toBe(500);
    await failing.body.dump();
    // Admin routes stay reachable whatever the fault rates.
    const stats = await request(`${served.url}/__sandbox/stats`);
    expect(await stats.body.json()).toMatchObject({ calls: 0, faults: { serverError: 1 } });
  });
});
