// The HAL clock over getTime() and setTimeout. getTime() is seconds since boot until setTime() or
// NTP sets it to epoch seconds, so the raw value jumps once (or steps back on a correction): now()
// absorbs a backward step or a jump of more than 31 years into an offset and stays monotonic.
// Espruino's clearTimeout() without an argument clears every timer, clearTimeout(undefined) throws,
// and before 2v01 an id that had already fired threw too (docs/espruino.md): only timers known to be
// pending are cleared.
// A board has one clock, so its methods are closures made once, sharing one scope: measured on
// Espruino's interpreter, methods shared through a prototype took as many blocks or more (paid at
// load instead of at start) and about 100 bytes more.
import type { Clock } from '../types.js';
import type { EspruinoEnv } from './env.js';

/** Epoch seconds below this mean the board's clock was never set (2020-09-13). */
const SET = 1.6e9;

export function espruinoClock(env: EspruinoEnv): Clock {
  const live: Record<number, 1> = {};
  let last = 0;
  let off = 0;
  return {
    now() {
      const t = env.getTime() * 1000;
      const d = t - last;
      if (d < 0 || d > 1e12) off -= d;
      last = t;
      return t + off;
    },
    time() {
      const t = env.getTime();
      return t > SET ? Math.floor(t) : 0;
    },
    setTimer(ms, fn) {
      const id = env.setTimeout(() => {
        delete live[id];
        fn();
      }, ms > 0 ? ms : 0);
      live[id] = 1;
      return id;
    },
    clearTimer(id) {
      if (live[id]) {
        delete live[id];
        env.clearTimeout(id);
      }
    },
  };
}
