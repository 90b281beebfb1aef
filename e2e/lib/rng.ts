/** The seeded random numbers the e2e matrices draw their option combinations from. */
/** mulberry32: small, seedable, good enough to pick options. */
/* eslint-disable no-bitwise */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    bool: (p = 0.5) => next() < p,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    some: <T>(xs: readonly T[], max = xs.length): T[] => xs.filter(() => next() < max / xs.length).slice(0, max),
  };
}
/* eslint-enable no-bitwise */
export type Rng = ReturnType<typeof rng>;
