// HAL storage over Espruino's flash Storage module.
// - File names hold at most 28 characters and Espruino cuts longer ones silently, so two long keys
//   could share a file. Keys of up to 27 characters are used as they are; longer keys become their
//   first 20 characters, "~" and the 32-bit FNV-1a hash of the whole key in base 36, padded to 7
//   (always 28 characters, so no short key can equal a mapped one).
// - Espruino cannot create a zero-length file: an empty value erases the key (read gives undefined).
// - A failed write (flash full) throws: losing the offline queue silently would be worse.
// Storage.read returns a string mapped onto flash, so reading costs no RAM until it is copied.
import type { Storage } from '../types.js';

export function storageName(k: string): string {
  if (k.length < 28) return k;
  let h = 0x811c9dc5;
  for (let i = 0; i < k.length; i++) {
    h ^= k.charCodeAt(i);
    // h * 16777619 mod 2^32 in exact integer steps (a plain product would lose bits in a double).
    h = (h + (h << 1) + (h << 4) + (h << 7) + (h << 8) + (h << 24)) >>> 0;
  }
  return k.slice(0, 20) + '~' + ('000000' + h.toString(36)).slice(-7);
}

export function espruinoStorage(S: any): Storage {
  return {
    read: (k) => S.read(storageName(k)),
    write(k, v) {
      const n = storageName(k);
      if (!v) S.erase(n);
      else if (!S.write(n, v)) throw new Error('storage: cannot write "' + n + '" (flash full?)');
    },
    erase: (k) => S.erase(storageName(k)),
  };
}
