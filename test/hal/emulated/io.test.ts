import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../hal/emulated/clock.js';
import { emulatedIo } from '../../../hal/emulated/io.js';

describe('emulatedIo', () => {
  it('records outputs and tells a listener', () => {
    const io = emulatedIo();
    const seen: string[] = [];
    io.onWrite((pin, v) => seen.push(`${pin}=${v}`));
    io.write('LED1', true);
    io.write('LED1', false);
    io.write('D2', true);
    expect(io.pins).toEqual({ LED1: false, D2: true });
    expect(seen).toEqual(['LED1=true', 'LED1=false', 'D2=true']);
  });

  it('reads inputs from the table, low when never set', () => {
    const io = emulatedIo();
    expect(io.read('BTN1')).toBe(false);
    io.setInput('BTN1', true);
    expect(io.read('BTN1')).toBe(true);
  });

  it('senses fixed values and generators, then falls back to the default', () => {
    const io = emulatedIo();
    io.setSensor('temp', 30.5);
    expect(io.sense('temp')).toBe(30.5);
    let n = 0;
    io.setSensor('light', () => ++n);
    expect([io.sense('light'), io.sense('light')]).toEqual([1, 2]);
    io.setSensor('temp', undefined);
    expect(io.sense('temp')).not.toBe(30.5);
    expect(() => io.sense('pressure')).toThrow(/no sensor "pressure"/);
  });

  it('gives plausible temp and humidity that repeat for a seed', () => {
    const series = (seed: number) => {
      const io = emulatedIo({ seed });
      return Array.from({ length: 200 }, () => [io.sense('temp'), io.sense('humidity')] as const);
    };
    const a = series(1);
    expect(series(1)).toEqual(a);
    expect(series(2)).not.toEqual(a);
    for (const [t, h] of a) {
      expect(t).toBeGreaterThanOrEqual(16);
      expect(t).toBeLessThanOrEqual(26);
      expect(h).toBeGreaterThanOrEqual(34);
      expect(h).toBeLessThanOrEqual(56);
    }
    expect(new Set(a.map(([t]) => Math.round(t))).size).toBeGreaterThan(3);
  });

  it('follows the clock when given one', () => {
    const clock = new VirtualClock();
    const io = emulatedIo({ clock, seed: 3 });
    io.setSensor('temp', undefined);
    const early = io.sense('temp');
    clock.advance(150_000); // a quarter period: the wave is at its peak
    const peak = io.sense('temp');
    expect(peak - early).toBeGreaterThan(3);
  });
});
