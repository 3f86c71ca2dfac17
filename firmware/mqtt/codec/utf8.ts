// Text <-> UTF-8. ES5 engines on the boards have no TextEncoder/TextDecoder, so the conversion is
// either the platform's (hal.utf8, installed by useUtf8) or the JS below, which is right wherever
// strings hold UTF-16 but not on Espruino: its strings are bytes unless marked UTF-8, and
// String.fromCharCode keeps only the low byte of a code. Checking that bytes are valid UTF-8 is
// the firmware's own job everywhere, so every platform refuses exactly the same input.
import type { Utf8 } from '../../../hal/types.js';

// The platform's converter, when it has one.
let P: Utf8 | undefined;

/** Makes every conversion below use the platform's converter (none: the JS one). */
export function useUtf8(u: Utf8 | undefined): void {
  P = u;
}

/**
 * Writes s as UTF-8 into o from offset p and returns the end offset; with no o it only measures,
 * so a caller can size a buffer exactly before writing. A lone surrogate becomes U+FFFD, as
 * TextEncoder does, because it has no valid UTF-8 form. A code point above U+FFFF read whole
 * (Espruino's UTF-8 strings index by code point) is written as it is.
 */
export function utf8Write(s: string, o: Uint8Array | null | 0 | undefined, p: number): number {
  let i = 0, c, n;
  for (; i < s.length; p += n + 1) {
    c = s.charCodeAt(i++);
    n = 0;
    if (c > 127) {
      // A high surrogate (D800-DBFF) followed by a low one (DC00-DFFF) is one code point.
      if (c >> 10 == 54 && s.charCodeAt(i) >> 10 == 55) c = (c << 10) + s.charCodeAt(i++) - 56613888;
      else if (c >> 11 == 27) c = 65533;
      n = c < 2048 ? 1 : c >> 16 ? 3 : 2;
      if (o) for (let k = n; k--; ) o[p + n - k] = 128 | c >> 6 * k & 63;
      // Lead byte 110xxxxx, 1110xxxx or 11110xxx for n = 1..3 continuation bytes (the array keeps
      // only the low 8 bits).
      c = -1 << 7 - n | c >> 6 * n;
    }
    if (o) o[p] = c;
  }
  return p;
}

export function utf8Encode(s: string): Uint8Array {
  if (P) return P.encode(s);
  const o = new Uint8Array(utf8Write(s, 0, 0));
  utf8Write(s, o, 0);
  return o;
}

/** A string as UTF-8; bytes as they are. */
export const bytes = (x: string | Uint8Array) => (typeof x == 'string' ? utf8Encode(x) : x);

const chr = String.fromCharCode;

/**
 * True when b[i..e) is UTF-8 as RFC 3629 and [MQTT-1.5.3-1] define it: shortest forms only, no
 * surrogates (D800-DFFF), nothing past U+10FFFF, no truncated or stray continuation bytes. U+0000
 * [MQTT-1.5.3-2] only with `nul`.
 */
function valid(b: Uint8Array, i: number, e: number, nul: any): boolean {
  let c, n, lo, hi;
  while (i < e) {
    c = b[i++]!;
    if (c < 128) {
      if (!c && !nul) return false;
      continue;
    }
    // n continuation bytes. The first one's range rules out overlong forms (after E0, F0),
    // surrogates (after ED) and code points past U+10FFFF (after F4); C0, C1 and F5-FF never lead.
    n = c < 194 ? 0 : c < 224 ? 1 : c < 240 ? 2 : c < 245 ? 3 : 0;
    if (!n || i + n > e) return false;
    lo = c == 224 ? 160 : c == 240 ? 144 : 128;
    hi = c == 237 ? 159 : c == 244 ? 143 : 191;
    for (; n--; lo = 128, hi = 191) {
      c = b[i++]!;
      if (c < lo || c > hi) return false;
    }
  }
  return true;
}

/** Valid UTF-8 in b[i..e) to a string of UTF-16 code units. */
function jsDecode(b: Uint8Array, i: number, e: number): string {
  let r = '', c, n;
  while (i < e) {
    c = b[i++]!;
    n = c < 192 ? 0 : c < 224 ? 1 : c < 240 ? 2 : 3;
    for (c &= 127 >> n; n--; ) c = c << 6 | b[i++]! & 63;
    r += c < 65536 ? chr(c) : chr(0xd7c0 + (c >> 10), 0xdc00 | c & 1023);
  }
  return r;
}

/**
 * Decodes b[start..end). Returns null for anything [MQTT-1.5.3-1] forbids (overlong forms,
 * surrogates, code points past U+10FFFF, truncated or stray continuation bytes) and, unless `nul`
 * is set, for U+0000 [MQTT-1.5.3-2].
 */
export function utf8Decode(b: Uint8Array, start: number, end: number, nul?: any): string | null {
  return !valid(b, start, end, nul) ? null : P ? P.decode(b.subarray(start, end)) : jsDecode(b, start, end);
}
