// Text <-> UTF-8, and the byte natives the codec leans on. ES5 engines on the boards have no
// TextEncoder/TextDecoder, so the conversion is either the platform's (hal.utf8, installed by
// useUtf8) or the JS below, which is right wherever strings hold UTF-16 but not on Espruino: its
// strings are bytes unless marked UTF-8, and String.fromCharCode keeps only the low byte.
//
// Espruino re-reads the source of every statement it runs, so a JS loop over bytes costs tens of
// thousands of instructions per byte there. The common case, ASCII text, therefore never loops in
// JS when the platform has natives: bytes become a byte string natively (byteString), one regular
// expression, run natively, tells whether that string is already the text, and the encoder builds
// a byte string and views it as bytes once (arrayBufferOf). Regular expressions are written where
// they are used: one kept at module level holds about 9 blocks of a board's RAM for good.
import type { Utf8 } from '../../../hal/types.js';

// The platform's converter, when it has one.
let platform: Utf8 | undefined;

export const chr = String.fromCharCode;

/** One character per byte (codes 0-255): natively where the platform can, else undefined at times. */
export let byteString: (b: Uint8Array) => string | undefined = jsByteString;

/** The bytes of a byte string (one character per byte), for new Uint8Array(...): natively where the
 *  platform can, an ArrayBuffer sharing the string's storage; else a copy. */
export let bufferOf: (s: string) => ArrayBuffer | Uint8Array = jsBufferOf;

/** Makes every conversion below use the platform's converter and natives (none: the JS ones). */
export function useUtf8(u: Utf8 | undefined): void {
  platform = u;
  byteString = (u && u.byteString) || jsByteString;
  bufferOf = (u && u.arrayBufferOf) || jsBufferOf;
}

/** One character per byte, in JS: where byteString is not native, or gave undefined. */
export function jsByteString(b: Uint8Array): string {
  // Text given where bytes belong comes back as it is, as Espruino's E.toString gives it, so that
  // the encoder sees it is not bytes on every engine.
  if (typeof b == 'string') return b;
  let s = '';
  // Espruino's Function.apply throws beyond 256 arguments (64 in builds before 2021) and mujs
  // overflows its stack at 256: 64 bytes at a time. Espruino's subarray does not stop at the end
  // of the array by itself.
  for (let i = 0; i < b.length; i += 64) s += String.fromCharCode.apply(null, b.subarray(i, Math.min(i + 64, b.length)) as unknown as number[]);
  return s;
}

/** The bytes of a byte string, viewed once. */
export const bytesOf = (s: string) => new Uint8Array(bufferOf(s));

/** One character per byte, always: natively where the platform can just now, else in JS. */
export const byteStringOf = (b: Uint8Array) => byteString(b) || jsByteString(b);

// A Uint8Array, not its buffer: mujs has no ArrayBuffer, and every engine copies an array given to
// new Uint8Array.
export function jsBufferOf(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function utf8Encode(s: string): Uint8Array {
  return platform ? platform.encode(s) : jsUtf8Encode(s);
}

/**
 * UTF-8 in JS, where the platform's converter cannot: built as a byte string, then viewed as bytes.
 * A lone surrogate becomes U+FFFD, as TextEncoder does, because it has no valid UTF-8 form. A code
 * point above U+FFFF read whole (Espruino's UTF-8 strings index by code point) is written as it is.
 */
export function jsUtf8Encode(s: string): Uint8Array {
  let out = '', i = 0, code, continuations;
  while (i < s.length) {
    code = s.charCodeAt(i++);
    if (code > 127) {
      // A high surrogate (D800-DBFF) followed by a low one (DC00-DFFF) is one code point.
      if (code >> 10 == 54 && s.charCodeAt(i) >> 10 == 55) code = (code << 10) + s.charCodeAt(i++) - 56613888;
      else if (code >> 11 == 27) code = 65533;
      continuations = code < 2048 ? 1 : code >> 16 ? 3 : 2;
      // Lead byte 110xxxxx, 1110xxxx or 11110xxx for 1..3 continuation bytes, then 10xxxxxx each.
      out += chr((-1 << 7 - continuations | code >> 6 * continuations) & 255);
      while (continuations--) out += chr(128 | code >> 6 * continuations & 63);
    } else out += chr(code);
  }
  return jsBufferOf(out);
}

/** A string as UTF-8; bytes as they are. */
export const bytes = (x: string | Uint8Array) => (typeof x == 'string' ? utf8Encode(x) : x);

/**
 * True when a byte string (one character per byte) is UTF-8 as RFC 3629 and [MQTT-1.5.3-1] define
 * it: shortest forms only, no surrogates (D800-DFFF), nothing past U+10FFFF, no truncated or stray
 * continuation bytes. Once every sequence is replaced by an ASCII character (a character, not
 * nothing, so that no two bytes become neighbours that were not), no byte above 0x7f may be left.
 * Regular expressions run natively on Espruino, where a loop over bytes would not.
 */
export function isUtf8(s: string): boolean {
  // A lead byte and its continuation bytes (10xxxxxx), by the lead's count (110xxxxx: 1, 1110xxxx:
  // 2, 11110xxx: 3), written out: Espruino's regular expressions have no counted repetition.
  // Then what RFC 3629 forbids in such sequences: bytes that never lead (C0, C1 give overlong
  // forms, F5-FF code points past U+10FFFF), overlong 3- and 4-byte forms (E0 80-9F, F0 80-8F),
  // surrogates (ED A0-BF) and code points past U+10FFFF (F4 90-BF). Only text beyond ASCII
  // comes here, so the expressions are made where they are used.
  return !/[^\0-\x7f]/.test(s.replace(/[\xc0-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf][\x80-\xbf]|[\xf0-\xf7][\x80-\xbf][\x80-\xbf][\x80-\xbf]/g, '\x01')) &&
    !/[\xc0\xc1\xf5-\xff]|\xe0[\x80-\x9f]|\xed[\xa0-\xbf]|\xf0[\x80-\x8f]|\xf4[\x90-\xbf]/.test(s);
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
  const bytes = b.subarray(start, end), text = byteStringOf(bytes);
  // Bytes that are their own text on every platform and hold no U+0000: ASCII from 1 up.
  if (!/[^\x01-\x7f]/.test(text)) return text;
  if ((!nul && text.indexOf('\0') >= 0) || !isUtf8(text)) return null;
  return platform ? platform.decode(bytes) : jsDecode(b, start, end);
}
