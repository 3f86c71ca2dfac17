// Levelled log lines on Espruino's console ("warn: ..."). Callers never pass secrets.
// A log is an object holding its level and printer; the four methods are made once, at load, and
// shared (a closure per level would cost its blocks again on the board).
import type { Log } from '../types.js';

interface EspruinoLog extends Log {
  /** Lowest level printed: 0 debug .. 3 error. */
  min_: number;
  print_?: (s: string) => void;
}

function line(log: EspruinoLog, level: number, name: string, msg: string): void {
  if (level >= log.min_) (log.print_ || console.log)(name + ': ' + msg);
}

const logMethods = {
  debug(this: EspruinoLog, msg: string) {
    line(this, 0, 'debug', msg);
  },
  info(this: EspruinoLog, msg: string) {
    line(this, 1, 'info', msg);
  },
  warn(this: EspruinoLog, msg: string) {
    line(this, 2, 'warn', msg);
  },
  error(this: EspruinoLog, msg: string) {
    line(this, 3, 'error', msg);
  },
};

/** A log printing from level min (0 debug .. 3 error): what a board's HAL makes, with no level
 *  names to look up in its bundle. */
export function levelLog(min: number, print?: (s: string) => void): Log {
  const log: EspruinoLog = Object.create(logMethods);
  log.min_ = min;
  if (print) log.print_ = print;
  return log;
}

export function espruinoLog(min?: string, print?: (s: string) => void): Log {
  const m = ['debug', 'info', 'warn', 'error'].indexOf(min || 'info');
  if (m < 0) throw new Error('log: unknown level "' + min + '"');
  return levelLog(m, print);
}
