import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { WindowLedger } from './window-ledger.js';

describe('WindowLedger', () => {
  it('never lets the server count more than max calls in any window, whatever the latencies', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 10, max: 500 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 60 }), latency: fc.integer({ min: 0, max: 300 }), counted: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 120 }),
        (max, perMs, calls) => {
          const ledger = new WindowLedger(max, perMs, 0);
          const inFlight: number[] = []; // response times
          const serverCounts: number[] = [];
          let now = 0;
          for (const call of calls) {
            now += call.gap;
            // Deliver responses due by now, then free expired slots.
            for (;;) {
              inFlight.sort((a, b) => a - b);
              const next = inFlight[0];
              if (next === undefined || next > now) break;
              inFlight.shift();
              ledger.finish(next, true);
            }
            ledger.expire(now);
            if (ledger.available <= 0) {
              // Wait for the next slot to free, as the limiter would.
              const waitUntil = Math.min(ledger.nextRelease() ?? Number.POSITIVE_INFINITY, ...inFlight);
              now = Math.max(now, waitUntil);
              while (inFlight.length > 0 && (inFlight[0] ?? 0) <= now) ledger.finish(inFlight.shift() ?? now, true);
              ledger.expire(now);
              if (ledger.available <= 0) continue;
            }
            ledger.admit();
            const response = now + call.latency;
            // The server counts the call somewhere between our send and its answer.
            serverCounts.push(now + call.counted * call.latency);
            inFlight.push(response);
          }
          serverCounts.sort((a, b) => a - b);
          for (let i = max; i < serverCounts.length; i += 1) {
            // i and i-max are max+1 calls: they must span at least a window.
            if ((serverCounts[i] ?? 0) - (serverCounts[i - max] ?? 0) < perMs) return false;
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes slots for other apps and frees them at their time', () => {
    const ledger = new WindowLedger(10, 1000, 0);
    ledger.takeForeign(4, 500);
    ledger.takeForeign(3, 200);
    expect(ledger.available).toBe(3);
    expect(ledger.ownHeld).toBe(0);
    expect(ledger.nextRelease()).toBe(200);
    ledger.expire(250);
    expect(ledger.available).toBe(6);
    ledger.expire(500);
    expect(ledger.available).toBe(10);
  });

  it('says when a full window lets the next call in', () => {
    const ledger = new WindowLedger(3, 1000, 5);
    expect(ledger.freeAt()).toBeUndefined();
    for (const at of [0, 10, 20]) {
      ledger.admit();
      ledger.finish(at, true);
    }
    expect(ledger.available).toBe(0);
    expect(ledger.freeAt()).toBe(1005);
    ledger.takeForeign(2, 3000);
    // Five slots held for a max of three: the third release to come lets a call in.
    expect(ledger.freeAt()).toBe(1025);
    // One more slot held, but it frees early: the fourth release is still at 1025.
    ledger.takeForeign(1, 500);
    expect(ledger.freeAt()).toBe(1025);
    ledger.takeForeign(1, 5000);
    expect(ledger.freeAt()).toBe(3000);
    ledger.admit();
    ledger.finish(30, false); // never sent: gives its slot back at once
    expect(ledger.available).toBe(-4);
  });
});
