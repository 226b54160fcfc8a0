/** A seeded pseudo-random source in [0, 1): the same seed gives the same sandbox data and the same faults. */
export type Random = () => number;

/** mulberry32: tiny, fast and good enough for test data and fault draws (not for anything secret). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
