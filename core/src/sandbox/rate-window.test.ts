import { describe, expect, it } from 'vitest';
import { createSandboxRateWindow } from './rate-window.js';

describe('createSandboxRateWindow', () => {
  it('fixed: resets at window boundaries aligned to the clock', () => {
    let now = 10_050;
    const window = createSandboxRateWindow({ max: 2, perMs: 10_000, timeScale: 10, now: () => now });
    expect(window.perMs).toBe(1000);
    expect(window.hit()).toEqual({ allowed: true, remaining: 1, resetInMs: 950 });
    expect(window.hit().allowed).toBe(true);
    expect(window.hit()).toEqual({ allowed: false, remaining: 0, resetInMs: 950 });
    now = 11_000;
    expect(window.hit().allowed).toBe(true);
    expect(window.peak).toBe(2);
    expect(window.rejected).toBe(1);
  });

  it('sliding: counts the last perMs whatever the alignment', () => {
    let now = 0;
    const window = createSandboxRateWindow({ max: 2, perMs: 1000, mode: 'sliding', now: () => now });
    window.hit();
    now = 900;
    window.hit();
    now = 1100; // the first hit has left the window, the second has not
    expect(window.hit().allowed).toBe(true);
    expect(window.hit()).toMatchObject({ allowed: false, resetInMs: 800 });
  });

  it('timeScale 0 disables limiting', () => {
    const window = createSandboxRateWindow({ max: 1, perMs: 1000, timeScale: 0 });
    expect([window.hit(), window.hit()].every((d) => d.allowed)).toBe(true);
  });
});
