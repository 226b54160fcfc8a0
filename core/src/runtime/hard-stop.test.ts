import { describe, expect, it } from 'vitest';
import { hardStopSignal } from './hard-stop.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('hardStopSignal', () => {
  it('does not fire on the graceful stop, but the drain time after it', async () => {
    const graceful = new AbortController();
    const hard = hardStopSignal(graceful.signal, { drainMs: 60 });
    graceful.abort(new Error('stop'));
    await tick(20);
    expect(hard.signal.aborted).toBe(false);
    await tick(80);
    expect(hard.signal.aborted).toBe(true);
    expect(hard.signal.reason).toMatchObject({ name: 'AbortError', message: 'calls still in flight 60 ms after the stop were aborted' });
    hard.dispose();
  });

  it('fires at once with drainMs 0, or when `now` fires', () => {
    const graceful = new AbortController();
    const immediate = hardStopSignal(graceful.signal, { drainMs: 0 });
    graceful.abort(new Error('stop'));
    expect(immediate.signal.reason).toMatchObject({ name: 'AbortError' });
    const force = new AbortController();
    const forced = hardStopSignal(new AbortController().signal, { drainMs: 60_000, now: force.signal });
    force.abort(new Error('second Ctrl-C'));
    expect(forced.signal.aborted).toBe(true);
    immediate.dispose();
    forced.dispose();
  });

  it('never fires once disposed (the run ended before the drain time)', async () => {
    const graceful = new AbortController();
    const hard = hardStopSignal(graceful.signal, { drainMs: 30 });
    graceful.abort();
    hard.dispose();
    await tick(60);
    expect(hard.signal.aborted).toBe(false);
  });
});
