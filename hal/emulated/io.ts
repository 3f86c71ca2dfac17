// Emulated pins and sensors. Outputs are recorded (and reported to a listener, so the simulator can
// show an LED); inputs and sensor readings come from a settable table. "temp" and "humidity" have
// deterministic defaults: a slow daily-like wave plus seeded noise, driven by the clock if one is
// given (so readings follow virtual time) or else by the number of reads.
import type { Clock, Io } from '../types.js';
import { seeded } from './random.js';

export interface EmulatedIo extends Io {
  /** Every pin's last written or set level. */
  readonly pins: Record<string, boolean>;
  /** Sets an input pin as if wired high or low. */
  setInput(pin: string, value: boolean): void;
  /** Fixes a sensor's reading, or supplies a generator; undefined restores the default. */
  setSensor(name: string, value: number | (() => number) | undefined): void;
  onWrite(fn: (pin: string, value: boolean) => void): void;
}

export interface IoOptions {
  clock?: Clock;
  seed?: number;
}

const waves: Record<string, { base: number; amp: number; noise: number }> = {
  temp: { base: 21, amp: 4, noise: 0.3 },
  humidity: { base: 45, amp: 10, noise: 1 },
};

export function emulatedIo(opts: IoOptions = {}): EmulatedIo {
  const pins: Record<string, boolean> = {};
  const table: Record<string, number | (() => number)> = {};
  const rnd = seeded(opts.seed ?? 7);
  let reads = 0;
  let listener: ((pin: string, value: boolean) => void) | undefined;

  const wave = (w: { base: number; amp: number; noise: number }): number => {
    // One period per simulated 10 minutes (or 100 reads): visible change in a short demo.
    const phase = opts.clock ? opts.clock.now() / 600_000 : reads / 100;
    const v = w.base + w.amp * Math.sin(2 * Math.PI * phase) + w.noise * (rnd() * 2 - 1);
    return Math.round(v * 100) / 100;
  };

  return {
    pins,
    write(pin, value) {
      pins[pin] = !!value;
      listener?.(pin, !!value);
    },
    read: (pin) => pins[pin] === true,
    sense(name) {
      reads++;
      const t = table[name];
      if (typeof t === 'number') return t;
      if (t) return t();
      const w = waves[name];
      if (!w) throw new Error(`io: no sensor "${name}" (setSensor() it first)`);
      return wave(w);
    },
    setInput(pin, value) {
      pins[pin] = value;
    },
    setSensor(name, value) {
      if (value === undefined) delete table[name];
      else table[name] = value;
    },
    onWrite(fn) {
      listener = fn;
    },
  };
}
