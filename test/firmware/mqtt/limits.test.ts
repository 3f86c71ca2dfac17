import { describe, expect, it } from 'vitest';
import { defaultLimits, type Limits, withLimits } from '../../../firmware/mqtt/limits.js';

// Every limit as the object reads it (own or inherited).
const all = (l: Limits) => Object.fromEntries(Object.keys(defaultLimits).map((k) => [k, l[k as keyof Limits]]));

describe('withLimits', () => {
  it('gives the defaults, as a new object that copies none of them', () => {
    const l = withLimits();
    expect(all(l)).toEqual(defaultLimits);
    expect(Object.keys(l)).toEqual([]);
    expect(l).not.toBe(defaultLimits);
    l.inflight = 1;
    expect(defaultLimits.inflight).toBe(8);
  });

  it('takes each number it is given and the default for the rest', () => {
    const l = withLimits({ inflight: 2, keepalive: 0 });
    expect(all(l)).toEqual({ ...defaultLimits, inflight: 2, keepalive: 0 });
    expect(Object.keys(l)).toEqual(['inflight', 'keepalive']);
  });

  it('ignores values that are not numbers and keys it does not know', () => {
    const over = { maxPacket: '100', ackTimeout: undefined, extra: 5 } as unknown as Partial<Limits>;
    const l = withLimits(over);
    expect(all(l)).toEqual(defaultLimits);
    expect(Object.keys(l)).toEqual([]);
  });
});
