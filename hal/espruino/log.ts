// Levelled log lines on Espruino's console ("warn: ..."). Callers never pass secrets.
import type { Log } from '../types.js';

const L = ['debug', 'info', 'warn', 'error'];

export function espruinoLog(min?: string, print?: (s: string) => void): Log {
  const m = L.indexOf(min || 'info');
  if (m < 0) throw new Error('log: unknown level "' + min + '"');
  const f = (i: number) => (s: string) => {
    if (i >= m) (print || console.log)(L[i] + ': ' + s);
  };
  return { debug: f(0), info: f(1), warn: f(2), error: f(3) };
}
