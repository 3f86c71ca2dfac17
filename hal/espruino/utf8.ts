// Text <-> UTF-8 on Espruino, natively (hal.utf8). Espruino's strings are bytes unless marked UTF-8:
// E.asUTF8 marks bytes as UTF-8 text (which then compares equal to the same text written with \u
// escapes in source), E.toUint8Array gives a UTF-8 string's bytes, E.isUTF8 tells the two kinds
// apart. A string not marked holds one character per byte (codes 0-255, e.g. from
// String.fromCharCode or a socket), which firmware's JS converter turns into UTF-8 correctly.
// Only text that is not ASCII is marked: ASCII is the same either way, and slice/substr on a
// UTF-8 string count bytes, not characters.
import type { Utf8 } from '../types.js';
import { jsByteString, jsUtf8Encode } from '../../firmware/mqtt/codec/utf8.js';
import type { EspruinoE } from './env.js';

interface EspruinoUtf8 extends Utf8 {
  E_: EspruinoE;
}

// Made once and shared; a converter holds E and two of its natives.
const utf8Methods = {
  encode(this: EspruinoUtf8, s: string) {
    const E = this.E_;
    return E.isUTF8!(s) || !/[^\0-\x7f]/.test(s) ? E.toUint8Array(s) : jsUtf8Encode(s);
  },
  decode(this: EspruinoUtf8, b: Uint8Array) {
    // E.toString needs one flat block of RAM and gives undefined when fragmentation denies it.
    const s = this.E_.toString(b) || jsByteString(b);
    return /[^\0-\x7f]/.test(s) ? this.E_.asUTF8!(s) : s;
  },
};

/** Undefined where E lacks the natives (the build's stand-ins): firmware then converts in JS. */
export function espruinoUtf8(E?: EspruinoE): Utf8 | undefined {
  // E.isUTF8 came with E.asUTF8.
  if (!E || !E.asUTF8 || !E.toArrayBuffer) return undefined;
  const u: EspruinoUtf8 = Object.create(utf8Methods);
  u.E_ = E;
  // The natives themselves, called as they are: a JS wrapper would cost a call each time.
  u.byteString = E.toString;
  // A view of the string's own blocks, where new Uint8Array(n) or E.toUint8Array ask for a flat
  // block of RAM and copy into it. A string marked UTF-8 gives its bytes as they are.
  u.arrayBufferOf = E.toArrayBuffer;
  return u;
}
