// Espruino's globals for a test board: getTime, setTimeout/clearTimeout, E, pins. Timers behave as
// in jswrap_interactive.c: ids are numbers, clearTimeout of an id that is not pending throws
// "Unknown Timeout", and clearTimeout() without an id clears every timer.
// getTime() is seconds since the fake board booted until setTime() sets it to epoch seconds.
import { performance } from 'node:perf_hooks';

export interface FakeTimers {
  setTimeout(fn: () => void, ms: number): number;
  clearTimeout(id?: number): void;
  pending(): number;
}

export function fakeTimers(): FakeTimers {
  const live = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    setTimeout(fn, ms) {
      if (typeof fn !== 'function') throw new TypeError('setTimeout: expecting a function');
      const id = next++;
      live.set(
        id,
        setTimeout(() => {
          live.delete(id);
          fn();
        }, ms),
      );
      return id;
    },
    clearTimeout(id) {
      if (id === undefined) {
        for (const t of live.values()) clearTimeout(t);
        live.clear();
        return;
      }
      const t = live.get(id);
      if (!t) throw new Error('Unknown Timeout');
      clearTimeout(t);
      live.delete(id);
    },
    pending: () => live.size,
  };
}

export interface FakeTime {
  getTime(): number;
  /** Sets the clock to epoch seconds, as Espruino's setTime() or an NTP sync would. */
  setTime(s: number): void;
}

export function fakeTime(): FakeTime {
  let base = performance.now();
  let at = 0; // seconds the clock read at base
  return {
    getTime: () => at + (performance.now() - base) / 1000,
    setTime(s) {
      base = performance.now();
      at = s;
    },
  };
}

export interface FakeE {
  toUint8Array(x: unknown): Uint8Array;
  toString(x: unknown): string | undefined;
  getTemperature(): number;
  /** E.defrag(): counts its calls (a fake board has no variable store to compact). */
  defrag?(): void;
  defrags: number;
  /** Set to make toString fail like a board without a flat block of RAM. */
  fragmented: boolean;
  temperature: number;
}

/** E with the native byte converters (a real board's), or without them (native: false). */
export function fakeE(native = true): FakeE {
  const e: FakeE = {
    defrags: 0,
    defrag: () => void e.defrags++,
    fragmented: false,
    temperature: 24.5,
    toUint8Array(x) {
      if (typeof x !== 'string') throw new TypeError('fake E.toUint8Array handles strings only');
      return Uint8Array.from(Buffer.from(x, 'latin1'));
    },
    toString(x) {
      if (!(x instanceof Uint8Array)) throw new TypeError('fake E.toString handles Uint8Array only');
      return e.fragmented ? undefined : Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('latin1');
    },
    getTemperature: () => e.temperature,
  };
  if (!native) {
    delete (e as Partial<FakeE>).toUint8Array;
    delete (e as Partial<FakeE>).toString;
    delete e.defrag;
  }
  return e;
}

export interface FakePins {
  levels: Record<string, number>;
  analog: Record<string, number>;
  digitalWrite(pin: string, v: boolean | number): void;
  digitalRead(pin: string): number;
  analogRead(pin: string): number;
}

/** Pins named like Espruino's ("D2", "A0", "B12"); anything else is "Invalid pin", as on a board. */
export function fakePins(): FakePins {
  const ok = (p: unknown) => {
    if (typeof p !== 'string' || !/^[A-H]?\d{1,2}$|^D\d{1,2}$/.test(p)) throw new Error(`Invalid pin: ${String(p)}`);
    return p;
  };
  const f: FakePins = {
    levels: {},
    analog: {},
    digitalWrite: (p, v) => void (f.levels[ok(p)] = v ? 1 : 0),
    digitalRead: (p) => f.levels[ok(p)] ?? 0,
    analogRead: (p) => f.analog[ok(p)] ?? 0,
  };
  return f;
}
