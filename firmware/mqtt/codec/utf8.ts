// UTF-8 by hand: ES5 engines on the boards have no TextEncoder/TextDecoder.

/**
 * Writes s as UTF-8 into o from offset p and returns the end offset; with no o it only measures,
 * so a caller can size a buffer exactly before writing. A lone surrogate becomes U+FFFD, as
 * TextEncoder does, because it has no valid UTF-8 form.
 */
export function utf8Write(s: string, o: Uint8Array | null | 0 | undefined, p: number): number {
  for (let i = 0, c, n; i < s.length; p += n + 1) {
    c = s.charCodeAt(i++);
    n = 0;
    if (c > 127) {
      // A high surrogate (D800-DBFF) followed by a low one (DC00-DFFF) is one code point.
      if (c >> 10 == 54 && s.charCodeAt(i) >> 10 == 55) c = (c << 10) + s.charCodeAt(i++) - 56613888;
      else if (c >> 11 == 27) c = 65533;
      n = c < 2048 ? 1 : c >> 16 ? 3 : 2;
    }
    if (o) {
      // Lead byte 0xxxxxxx, 110xxxxx, 1110xxxx or 11110xxx for n = 0..3 continuation bytes: the
      // prefix is byte n of F0E0C000 (the array keeps only the low 8 bits).
      o[p] = 4041261056 >>> 8 * n | c >> 6 * n;
      for (let k = n; k--; ) o[p + n - k] = 128 | c >> 6 * k & 63;
    }
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
  let r = '';
  while (start < end) {
    let c = b[start++]!;
    if (c < 128) {
      if (!c) return null;
      r += chr(c);
      continue;
    }
    // Lead bytes C0/C1 only start overlong forms and F5..FF only code points past U+10FFFF.
    const n = c < 194 ? 0 : c < 224 ? 1 : c < 240 ? 2 : c < 245 ? 3 : 0;
    if (!n || start + n > end) return null;
    c &= 63 >> n;
    for (let k = n; k--; ) {
      const x = b[start++]!;
      if ((x & 192) != 128) return null;
      c = c << 6 | x & 63;
    }
    // 1 << 5n+1 is the smallest code point that needs n continuation bytes (n = 2, 3).
    if (n > 1 && c < 1 << 5 * n + 1 || c > 0x10ffff || c >> 11 == 27) return null;
    r += c < 65536 ? chr(c) : chr(0xd7c0 + (c >> 10), 0xdc00 | c & 1023);
  }
  return r;
}
