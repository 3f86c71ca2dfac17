// Levelled log lines on Espruino's console ("warn: ..."). Callers never pass secrets.
// One logger per board: four functions sharing one scope (a closure made per level would cost its
// own scope as well).
import type { Log } from '../types.js';

export function espruinoLog(min?: string, print?: (s: string) => void): Log {
  const m = ['debug', 'info', 'warn', 'error'].indexOf(min || 'info');
  if (m < 0) throw new Error('log: unknown level "' + min + '"');
  const p = print || console.log;
  return {
    debug(s) {
      if (m < 1) p('debug: ' + s);
    },
    info(s) {
      if (m < 2) p('info: ' + s);
    },
    warn(s) {
      if (m < 3) p('warn: ' + s);
    },
    error(s) {
      p('error: ' + s);
    },
  };
}
