import { describe, expect, it } from 'vitest';
import { delay } from '../../../firmware/mqtt/backoff.js';
import { withLimits } from '../../../firmware/mqtt/limits.js';
import { seeded } from '../../../hal/emulated/random.js';

const l = withLimits({ backoffMin: 1000, backoffMax: 60_000 });

describe('backoff delay', () => {
  it('doubles per attempt up to the cap, scaled by random()', () => {
    const half = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => delay(n, l, half))).toEqual(
      [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000],
    );
  });

  it('is full jitter: anywhere from 0 up to the ceiling', () => {
    expect(delay(3, l, () => 0)).toBe(0);
    expect(delay(3, l, () => 0.25)).toBe(2000);
    expect(delay(3, l, () => 0.999)).toBeCloseTo(7992, 6);
  });

  it('stays at the cap for huge attempt counts (no Infinity or NaN)', () => {
    expect(delay(5000, l, () => 0.5)).toBe(30000);
  });

  it('spreads a seeded sequence over the whole range below the ceiling', () => {
    const r = seeded(42);
    const xs = Array.from({ length: 2000 }, () => delay(4, l, r));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(16000);
    // Full jitter is uniform: both halves of the range get a fair share.
    const low = xs.filter((x) => x < 8000).length;
    expect(low).toBeGreaterThan(800);
    expect(low).toBeLessThan(1200);
  });

  it('follows the limits it is given', () => {
    const tight = withLimits({ backoffMin: 100, backoffMax: 250 });
    expect([0, 1, 2, 3].map((n) => delay(n, tight, () => 0.5))).toEqual([50, 100, 125, 125]);
  });
});
