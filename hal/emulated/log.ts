// Levelled logs for the simulator: to stderr for people, to an array for tests.
import type { Log } from '../types.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Level[] = ['debug', 'info', 'warn', 'error'];

function levelled(min: Level, out: (level: Level, msg: string) => void): Log {
  const at = order.indexOf(min);
  if (at < 0) throw new TypeError(`log: unknown level "${min}"`);
  const f = (l: Level) => (msg: string) => {
    if (order.indexOf(l) >= at) out(l, msg);
  };
  return { debug: f('debug'), info: f('info'), warn: f('warn'), error: f('error') };
}

export function stderrLog(min: Level = 'info', prefix = 'tinyiot'): Log {
  return levelled(min, (l, msg) => process.stderr.write(`${prefix} ${l}: ${msg}\n`));
}

/** Lines are "level: message", oldest first. */
export function arrayLog(min: Level = 'debug'): Log & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(levelled(min, (l, msg) => lines.push(`${l}: ${msg}`)), { lines });
}
