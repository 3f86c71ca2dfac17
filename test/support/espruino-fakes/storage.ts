// Espruino's flash "Storage" module in memory, as libs/filesystem/jswrap_storage.c and jsflash.c
// behave: names are cut to 28 characters without a word (so long names collide, as on a board),
// a zero-length file cannot be created (throws), read() of a missing file is undefined, write()
// returns false when the flash is full. Values are byte strings.
import { needByteString } from './emitter.js';

const MAX_NAME = 28;

export interface FakeStorage {
  read(name: string): string | undefined;
  write(name: string, data: string): boolean;
  erase(name: string): void;
  list(): string[];
  /** Bytes left before write() starts failing (default: plenty). */
  free: number;
}

export function fakeStorage(free = 1 << 20): FakeStorage {
  const files = new Map<string, string>();
  const cut = (n: unknown) => {
    if (typeof n !== 'string' || !n) throw new TypeError('Storage: name must be a non-empty string');
    return n.slice(0, MAX_NAME);
  };
  const used = () => [...files.values()].reduce((a, v) => a + v.length, 0);
  return {
    free,
    read: (name) => files.get(cut(name)),
    write(name, data) {
      const n = cut(name);
      needByteString(data, 'Storage.write');
      if (!data.length) throw new Error("Can't create zero length file");
      if (used() - (files.get(n)?.length ?? 0) + data.length > this.free) return false;
      files.set(n, data);
      return true;
    },
    erase(name) {
      files.delete(cut(name));
    },
    list: () => [...files.keys()],
  };
}
