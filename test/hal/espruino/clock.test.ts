import { describe, expect, it } from 'vitest';
import { espruinoClock } from '../../../hal/espruino/clock.js';
import type { EspruinoEnv } from '../../../hal/espruino/env.js';
import { fakeTimers } from '../../support/espruino-fakes/index.js';
import { until } from '../../support/wait.js';

/** An env whose getTime() reads a number the test sets. */
function manual(t0: number) {
  const t = { s: t0 };
  const timers = fakeTimers();
  const env: EspruinoEnv = { require: () => undefined, getTime: () => t.s, setTimeout: timers.setTimeout, clearTimeout: timers.clearTimeout };
  return { t, timers, clock: espruinoClock(env) };
}

describe('espruinoClock', () => {
  it('now() is getTime() in milliseconds, differences preserved', () => {
    const { t, clock } = manual(12.5);
    const a = clock.now();
    t.s = 13.75;
    expect(clock.now() - a).toBe(1250);
    t.s = 13.7505;
    expect(clock.now() - a).toBeCloseTo(1250.5, 6);
  });

  it('time() is 0 until the clock is set, then whole epoch seconds', () => {
    const { t, clock } = manual(42.9);
    expect(clock.time()).toBe(0);
    t.s = 1_763_000_000.75;
    expect(clock.time()).toBe(1_763_000_000);
  });

  it('now() stays monotonic when setTime/NTP jumps the clock to the epoch or steps it back', () => {
    const { t, clock } = manual(30);
    const a = clock.now();
    t.s = 31;
    const b = clock.now();
    expect(b - a).toBe(1000);
    t.s = 1_763_000_000; // NTP sets the real time
    const c = clock.now();
    expect(c).toBeGreaterThanOrEqual(b);
    expect(c - b).toBeLessThan(1000);
    t.s = 1_763_000_002;
    expect(clock.now() - c).toBe(2000);
    t.s = 1_762_999_990; // a correction backwards
    const d = clock.now();
    expect(d).toBeGreaterThanOrEqual(c + 2000);
    t.s = 1_762_999_991;
    expect(clock.now() - d).toBe(1000);
  });

  it('setTimer fires once; clearTimer stops a pending one', async () => {
    const { clock, timers } = manual(1);
    const fired: string[] = [];
    clock.setTimer(5, () => fired.push('a'));
    const b = clock.setTimer(5, () => fired.push('b'));
    clock.clearTimer(b);
    await until(() => fired.length > 0, 'timer a');
    expect(fired).toEqual(['a']);
    expect(timers.pending()).toBe(0);
  });

  it('clearTimer of a timer that already fired, or twice, does not reach Espruino (which throws)', async () => {
    const { clock } = manual(1);
    let fired = 0;
    const id = clock.setTimer(1, () => fired++);
    await until(() => fired === 1, 'timer');
    expect(() => clock.clearTimer(id)).not.toThrow();
    const id2 = clock.setTimer(1000, () => fired++);
    clock.clearTimer(id2);
    expect(() => clock.clearTimer(id2)).not.toThrow();
  });

  it('clearTimer with an unknown id never clears other timers (Espruino clears all on undefined)', async () => {
    const { clock, timers } = manual(1);
    let fired = 0;
    clock.setTimer(5, () => fired++);
    clock.clearTimer(undefined as unknown as number);
    clock.clearTimer(0);
    expect(timers.pending()).toBe(1);
    await until(() => fired === 1, 'the timer still fires');
  });

  it('a negative delay becomes 0 (the client may ask for a deadline already passed)', async () => {
    const seen: number[] = [];
    const env: EspruinoEnv = {
      require: () => undefined,
      getTime: () => 1,
      setTimeout: (fn, ms) => (seen.push(ms), fakeTimers().setTimeout(fn, ms)),
      clearTimeout: () => {},
    };
    espruinoClock(env).setTimer(-20, () => {});
    expect(seen).toEqual([0]);
  });
});
