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

interface EspruinoStorage extends Storage {
  /** Espruino's Storage module. */
  flash_: any;
}

// Made once and shared; a storage object holds only the Storage module.
const storageMethods = {
  read(this: EspruinoStorage, key: string) {
    return this.flash_.read(storageName(key));
  },
  write(this: EspruinoStorage, key: string, value: string) {
    const n = storageName(key);
    if (!value) this.flash_.erase(n);
    else if (!this.flash_.write(n, value)) throw new Error('storage: cannot write "' + n + '" (flash full?)');
  },
  erase(this: EspruinoStorage, key: string) {
    this.flash_.erase(storageName(key));
  },
};

export function espruinoStorage(S: any): Storage {
  const st: EspruinoStorage = Object.create(storageMethods);
  st.flash_ = S;
  return st;
}
