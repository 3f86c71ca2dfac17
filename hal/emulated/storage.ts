// Key/value storage for the simulator: in memory, or one file per key in a directory so state
// survives a restart of the simulated board. Values are byte strings (chars 0-255), like the
// strings Espruino's Storage holds; anything wider is refused here so it fails in the simulator
// instead of being mangled on a board.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Storage } from '../types.js';

function checkKey(key: string): void {
  if (typeof key !== 'string' || !key) throw new TypeError('storage: key must be a non-empty string');
}

function checkValue(value: string): void {
  if (typeof value !== 'string') throw new TypeError('storage: value must be a string');
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\xff]/.test(value)) throw new TypeError('storage: value must be a byte string (chars 0-255)');
}

export function memoryStorage(): Storage & { keys(): string[] } {
  const m = new Map<string, string>();
  return {
    read(key) {
      checkKey(key);
      return m.get(key);
    },
    write(key, value) {
      checkKey(key);
      checkValue(value);
      m.set(key, value);
    },
    erase(key) {
      checkKey(key);
      m.delete(key);
    },
    keys: () => [...m.keys()],
  };
}

/**
 * File names keep [a-z0-9_-] and write every other UTF-8 byte as %XX (upper-case hex), so no key
 * can name "..", a path separator or a temp file, and two keys never differ only in letter case
 * (which a case-insensitive file system would merge).
 */
export function keyToFile(key: string): string {
  let out = '';
  for (const b of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[a-z0-9_-]/.test(c) ? c : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export function fileStorage(dir: string): Storage {
  mkdirSync(dir, { recursive: true });
  let seq = 0;
  const path = (key: string): string => {
    checkKey(key);
    const name = keyToFile(key);
    if (name.length > 200) throw new TypeError('storage: key too long for a file name');
    return join(dir, name);
  };
  return {
    read(key) {
      try {
        return readFileSync(path(key)).toString('latin1');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
    write(key, value) {
      const file = path(key);
      checkValue(value);
      // Rename is atomic on one file system: a crash leaves the old value or the new, never half.
      const tmp = `${file}.${process.pid}.${seq++}.tmp`;
      writeFileSync(tmp, Buffer.from(value, 'latin1'));
      renameSync(tmp, file);
    },
    erase(key) {
      rmSync(path(key), { force: true });
    },
  };
}
