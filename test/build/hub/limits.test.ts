import { expect, it } from 'vitest';
import { connLimits, DEFAULT_LIMITS, LIMIT_FLAGS, MAX_INFLIGHT } from '../../../build/hub/limits.js';

it('fills the defaults and refuses values that are not positive whole numbers', () => {
  expect(connLimits()).toEqual(DEFAULT_LIMITS);
  expect(connLimits({ maxInflight: 7 }).maxInflight).toBe(7);
  for (const bad of [0, -1, 1.5, NaN, Infinity]) expect(() => connLimits({ maxSubscriptions: bad })).toThrow(/maxSubscriptions must be a positive whole number/);
  expect(() => connLimits({ maxInflight: MAX_INFLIGHT + 1 })).toThrow(/at most 65535/);
});

it('has a flag for every one of the hub’s own limits', () => {
  expect(Object.values(LIMIT_FLAGS).map((f) => f.key).sort()).toEqual(Object.keys(DEFAULT_LIMITS).sort());
});
