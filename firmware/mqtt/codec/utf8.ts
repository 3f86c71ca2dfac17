// UTF-8 by hand: ES5 engines on the boards have no TextEncoder/TextDecoder.

/**
 * Writes s as UTF-8 into o from offset p and returns the end offset; with no o it only measures,
 * so a caller can size a buffer exactly before writing. A lone surrogate becomes U+FFFD, as
 * TextEncoder does, because it has no valid UTF-8 form.
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
  const o = new Uint8Array(utf8Write(s, 0, 0));
  utf8Write(s, o, 0);
  return o;
}

/** A string as UTF-8; bytes as they are. */
export const bytes = (x: string | Uint8Array) => (typeof x == 'string' ? utf8Encode(x) : x);

const chr = String.fromCharCode;

/**
 * Decodes b[start..end). Returns null for anything [MQTT-1.5.3-1] forbids (overlong forms,
 * surrogates, code points past U+10FFFF, truncated or stray continuation bytes) and for
 * U+0000 [MQTT-1.5.3-2].
 */
export function utf8Decode(b: Uint8Array, start: number, end: number): string | null {
  let r = '', i = start, c, n, a;
  // Read leniently: the lead byte gives the length, continuation bytes give 6 bits each.
  while (i < end) {
    c = b[i++]!;
    n = c < 192 ? 0 : c < 224 ? 1 : c < 240 ? 2 : 3;
    for (c &= 127 >> n; n--; ) c = c << 6 | b[i++]! & 63;
    r += c < 65536 ? chr(c) : chr(0xd7c0 + (c >> 10), 0xdc00 | c & 1023);
  }
  // Valid UTF-8 is exactly what encoding the result gives back: anything malformed (an overlong
  // form, a surrogate, a bad continuation byte...) reads as a character that encodes otherwise.
  if (i > end || /\0/.test(r) || (a = utf8Encode(r)).length != end - start) return null;
  while (i > start) if (a[--i - start] != b[i]) return null;
  return r;
}
