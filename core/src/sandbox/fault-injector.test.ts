import { describe, expect, it } from 'vitest';
import { createFaultInjector, faultResponse, validateFaultRates } from './fault-injector.js';
import { mulberry32 } from './prng.js';
import { SANDBOX_FAULT_HEADER } from './fault.js';

describe('mulberry32', () => {
  it('repeats for a seed, differs across seeds, stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(c()).not.toBe(xs[0]);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
  });
});

describe('createFaultInjector', () => {
  it('injects each fault at about its rate, the same way for the same seed', () => {
    const draw = (seed: number) => {
      const injector = createFaultInjector({ serverError: 0.1, reset: 0.05 }, mulberry32(seed));
      return Array.from({ length: 10_000 }, () => injector.draw());
    };
    const draws = draw(9);
    expect(draw(9)).toEqual(draws);
    const count = (kind: string) => draws.filter((d) => d === kind).length;
    expect(count('serverError')).toBeGreaterThan(850);
    expect(count('serverError')).toBeLessThan(1150);
    expect(count('reset')).toBeGreaterThan(400);
    expect(count('reset')).toBeLessThan(600);
    expect(count('timeout')).toBe(0);
  });

  it('applies new rates at run time and counts what it injected', () => {
    const injector = createFaultInjector({}, mulberry32(1));
    expect(injector.draw()).toBeUndefined();
    injector.setRates({ rateLimited: 1 });
    expect(injector.draw()).toBe('rateLimited');
    expect(injector.counts().rateLimited).toBe(1);
  });

  it('rejects rates that are not probabilities', () => {
    expect(() => validateFaultRates({ serverError: -0.1 })).toThrow(/between 0 and 1/);
    expect(() => validateFaultRates({ typo: 0.1 })).toThrow(/unknown fault 'typo'/);
    expect(() => validateFaultRates({ serverError: 0.6, reset: 0.6 })).toThrow(/more than 1/);
    expect(() => validateFaultRates([])).toThrow(/object/);
  });
});

describe('faultResponse', () => {
  it('acts out each fault', async () => {
    const limited = faultResponse('rateLimited', { rateLimitedHeaders: { 'retry-after': '1' } });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(faultResponse('serverError').status).toBe(500);
    expect(faultResponse('reset').headers.get(SANDBOX_FAULT_HEADER)).toBe('reset');
    expect(faultResponse('timeout').headers.get(SANDBOX_FAULT_HEADER)).toBe('timeout');
    const malformed = faultResponse('malformed');
    expect(malformed.status).toBe(200);
    await expect(malformed.json()).rejects.toThrow();
  });
});
