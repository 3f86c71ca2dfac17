// The HAL clock over getTime() and setTimeout. getTime() is seconds since boot until setTime() or
// NTP sets it to epoch seconds, so the raw value jumps once (or steps back on a correction): now()
// absorbs a backward step or a jump of more than 31 years into an offset and stays monotonic.
// Espruino's clearTimeout() without an argument clears every timer, clearTimeout(undefined) throws,
// and before 2v01 an id that had already fired threw too (docs/espruino.md): only timers known to be
// pending are cleared.
import type { Clock } from '../types.js';
import type { EspruinoEnv } from './env.js';

/** Epoch seconds below this mean the board's clock was never set (2020-09-13). */
const SET = 1.6e9;

interface EspruinoClock extends Clock {
  env_: EspruinoEnv;
  /** Ids of the timers set here that have neither fired nor been cleared. */
  live_: Record<number, 1>;
  /** The last getTime() read, ms, and what now() adds to it. */
  last_: number;
  offset_: number;
}

// Made once and shared; a clock object holds only its state.
const clockMethods = {
  now(this: EspruinoClock) {
    const t = this.env_.getTime() * 1000;
    const d = t - this.last_;
    if (d < 0 || d > 1e12) this.offset_ -= d;
    this.last_ = t;
    return t + this.offset_;
  },
  time(this: EspruinoClock) {
    const t = this.env_.getTime();
    return t > SET ? Math.floor(t) : 0;
  },
  setTimer(this: EspruinoClock, ms: number, fn: () => void) {
    const live = this.live_;
    const id = this.env_.setTimeout(() => {
      delete live[id];
      fn();
    }, ms > 0 ? ms : 0);
    live[id] = 1;
    return id;
  },
  clearTimer(this: EspruinoClock, id: number) {
    if (this.live_[id]) {
      delete this.live_[id];
      this.env_.clearTimeout(id);
    }
  },
};

export function espruinoClock(env: EspruinoEnv): Clock {
  const c: EspruinoClock = Object.create(clockMethods);
  c.env_ = env;
  c.live_ = {};
  c.last_ = c.offset_ = 0;
  return c;
}
