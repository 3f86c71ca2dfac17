import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../hal/emulated/clock.js';
import { concat, Pipe, type PipeFaults } from '../../../hal/emulated/pipe.js';
import { seeded } from '../../../hal/emulated/random.js';

function make(f: Partial<PipeFaults> = {}) {
  const clock = new VirtualClock();
  const got: string[] = [];
  const faults: PipeFaults = { merge: false, delay: 0, ...f };
  const pipe = new Pipe(clock, faults, seeded(1), {
    data: (b) => got.push([...b].join(',')),
    end: (r) => got.push(`end ${r}`),
  });
  return { clock, pipe, got, faults };
}

describe('Pipe', () => {
  it('holds everything until opened, then delivers in order with the end last', () => {
    const { clock, pipe, got } = make();
    pipe.push(Uint8Array.of(1));
    pipe.push(Uint8Array.of(2));
    pipe.end('bye');
    pipe.push(Uint8Array.of(3));
    clock.advance(10);
    expect(got).toEqual([]);
    pipe.open();
    clock.advance(0);
    expect(got).toEqual(['1', '2', 'end bye']);
    expect(pipe.killed).toBe(true);
  });

  it('merge stops at an end marker', () => {
    const { clock, pipe, got } = make({ merge: true });
    pipe.open();
    pipe.push(Uint8Array.of(1));
    pipe.push(Uint8Array.of(2));
    pipe.end('x');
    clock.advance(0);
    expect(got).toEqual(['1,2', 'end x']);
  });

  it('picks up fault changes at delivery time', () => {
    const { clock, pipe, got, faults } = make();
    pipe.open();
    pipe.push(Uint8Array.of(1, 2, 3));
    faults.split = 1;
    clock.advance(0);
    expect(got).toEqual(['1', '2', '3']);
  });

  it('kill drops the queue and cancels its timer', () => {
    const { clock, pipe, got } = make({ delay: 5 });
    pipe.open();
    pipe.push(Uint8Array.of(1));
    expect(clock.pending()).toBe(1);
    pipe.kill();
    expect(clock.pending()).toBe(0);
    pipe.push(Uint8Array.of(2));
    clock.advance(10);
    expect(got).toEqual([]);
  });
});

describe('concat', () => {
  it('joins chunks', () => {
    expect([...concat([Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)])]).toEqual([1, 2, 3]);
  });
});
