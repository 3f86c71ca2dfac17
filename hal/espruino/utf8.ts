// Text <-> UTF-8 on Espruino, natively (hal.utf8). Espruino's strings are bytes unless marked UTF-8:
// E.asUTF8 marks bytes as UTF-8 text (which then compares equal to the same text written with \u
// escapes in source), E.toUint8Array gives a UTF-8 string's bytes, E.isUTF8 tells the two kinds
// apart. A string not marked holds one character per byte (codes 0-255, e.g. from
// String.fromCharCode or a socket), which firmware's JS converter turns into UTF-8 correctly.
// Only text that is not ASCII is marked: ASCII is the same either way, and slice/substr on a
// UTF-8 string count bytes, not characters.
import type { Utf8 } from '../types.js';
import { utf8Write } from '../../firmware/mqtt/codec/utf8.js';
import { toByteString } from './bytes.js';
import type { EspruinoE } from './env.js';

/** Undefined where E lacks the natives (the build's stand-ins): firmware then converts in JS. */
export function espruinoUtf8(E?: EspruinoE): Utf8 | undefined {
  if (!E || E.asUTF8 == null || E.isUTF8 == null) return undefined;
  const high = /[^\0-\x7f]/;
  return {
    encode(s) {
      if (E.isUTF8!(s) || !high.test(s)) return E.toUint8Array(s);
      const o = new Uint8Array(utf8Write(s, 0, 0));
      utf8Write(s, o, 0);
      return o;
    },
    decode(b) {
      const s = toByteString(b, E);
      return high.test(s) ? E.asUTF8!(s) : s;
    },
  };
}
