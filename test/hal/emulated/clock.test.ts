import { describe, expect, it } from 'vitest';
import { realClock, VirtualClock } from '../../../hal/emulated/clock.js';
import type { TimerId } from '../../../hal/types.js';

describe('VirtualClock', () => {
  it('stands still until advance(), then moves by exactly that much', () => {
    const c = new VirtualClock();
    expect(c.now()).toBe(0);
    c.advance(250);
    c.advance(0);
    expect(c.now()).toBe(250);
  });

  it('fires timers in deadline order, ties in arming order, each seeing its own deadline as now()', () => {
    const c = new VirtualClock();
    const seen: string[] = [];
    c.setTimer(30, () => seen.push(`c@${c.now()}`));
    c.setTimer(10, () => seen.push(`a@${c.now()}`));
    c.setTimer(30, () => seen.push(`d@${c.now()}`));
    c.setTimer(20, () => seen.push(`b@${c.now()}`));
    c.setTimer(-5, () => seen.push(`z@${c.now()}`));
    c.advance(25);
    expect(seen).toEqual(['z@0', 'a@10', 'b@20']);
    expect(c.now()).toBe(25);
    c.advance(5);
    expect(seen).toEqual(['z@0', 'a@10', 'b@20', 'c@30', 'd@30']);
    expect(c.pending()).toBe(0);
  });

  it('fires timers armed during advance() when they fall due within it, and keeps the later ones', () => {
    const c = new VirtualClock();
    const seen: number[] = [];
    const tick = () => {
      seen.push(c.now());
      c.setTimer(100, tick);
    };
    c.setTimer(100, tick);
    c.setTimer(50, () => c.setTimer(0, () => seen.push(-c.now())));
    c.advance(350);
    expect(seen).toEqual([-50, 100, 200, 300]);
    expect(c.pending()).toBe(1);
    c.advance(49);
    expect(seen).toHaveLength(4);
    c.advance(1);
    expect(seen.at(-1)).toBe(400);
  });

  it('clearTimer stops a timer; for an id that fired, was cleared, is unknown or 0 it does nothing', () => {
    const c = new VirtualClock();
    const seen: string[] = [];
    const a = c.setTimer(10, () => seen.push('a'));
    const b = c.setTimer(20, () => seen.push('b'));
    c.setTimer(30, () => seen.push('c'));
    c.advance(10);
    c.clearTimer(b);
    expect(c.pending()).toBe(1);
    for (const id of [a, b, 999 as TimerId, 0 as TimerId]) c.clearTimer(id);
    expect(c.pending()).toBe(1);
    c.advance(100);
    expect(seen).toEqual(['a', 'c']);
  });

  it('gives every timer a distinct id', () => {
    const c = new VirtualClock();
    const ids = [c.setTimer(1, () => {}), c.setTimer(1, () => {}), c.setTimer(1, () => {})];
    expect(new Set(ids).size).toBe(3);
  });

  it('time() is epoch seconds moving with virtual time, and 0 when the epoch is unknown', () => {
    const c = new VirtualClock();
    expect(c.time()).toBe(1_700_000_000);
    c.advance(2999);
    expect(c.time()).toBe(1_700_000_002);
    const unknown = new VirtualClock(0);
    unknown.advance(5000);
    expect(unknown.time()).toBe(0);
    unknown.epoch = 1_800_000_000;
    expect(unknown.time()).toBe(1_800_000_005);
  });
});

describe('realClock', () => {
  it('starts near 0, never goes back, and tells epoch seconds from the wall clock', () => {
    const c = realClock();
    const t0 = c.now();
    expect(t0).toBeGreaterThanOrEqual(0);
    expect(c.now()).toBeGreaterThanOrEqual(t0);
    const wall = Math.floor(Date.now() / 1000);
    expect(Math.abs(c.time() - wall)).toBeLessThanOrEqual(1);
  });

  it('fires a timer once, later on its own clock, and a cleared one never', async () => {
    const c = realClock();
    const seen: string[] = [];
    const start = c.now();
    const cleared = c.setTimer(5, () => seen.push('cleared'));
    c.clearTimer(cleared);
    await new Promise<void>((resolve) =>
      c.setTimer(20, () => {
        seen.push('fired');
        expect(c.now()).toBeGreaterThan(start);
        resolve();
      }),
    );
    c.clearTimer(cleared);
    expect(seen).toEqual(['fired']);
  });
});
