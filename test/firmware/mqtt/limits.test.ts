import { describe, expect, it } from 'vitest';
import { defaultLimits, type Limits, withLimits } from '../../../firmware/mqtt/limits.js';

describe('withLimits', () => {
  it('gives the defaults, as a new object', () => {
    const l = withLimits();
    expect(l).toEqual(defaultLimits);
    expect(l).not.toBe(defaultLimits);
    l.inflight = 1;
    expect(defaultLimits.inflight).toBe(8);
  });

  it('takes each number it is given and the default for the rest', () => {
    expect(withLimits({ inflight: 2, keepalive: 0 })).toEqual({ ...defaultLimits, inflight: 2, keepalive: 0 });
  });

  it('ignores values that are not numbers and keys it does not know', () => {
    const over = { maxPacket: '100', ackTimeout: undefined, extra: 5 } as unknown as Partial<Limits>;
    expect(withLimits(over)).toEqual(defaultLimits);
  });
});
