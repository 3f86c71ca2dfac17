// UTF-8 by hand: ES5 engines on the boards have no TextEncoder/TextDecoder.

/**
 * Writes s as UTF-8 into o from offset p and returns the end offset; with no o it only measures,
 * so a caller can size a buffer exactly before writing. A lone surrogate becomes U+FFFD, as
 * TextEncoder does, because it has no valid UTF-8 form.
 */
export function utf8Write(s: string, o: Uint8Array | null, p: number): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 128) {
      if (o) o[p] = c;
      p++;
      continue;
    }
    if ((c & 0xfc00) == 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) == 0xdc00) {
      c = ((c & 1023) << 10 | s.charCodeAt(++i) & 1023) + 0x10000;
    } else if ((c & 0xf800) == 0xd800) c = 0xfffd;
    const n = c < 2048 ? 1 : c < 65536 ? 2 : 3;
    if (o) {
      // Lead byte 110xxxxx, 1110xxxx or 11110xxx for n = 1, 2, 3 continuation bytes.
      o[p] = 240 << 3 - n & 255 | c >> 6 * n;
      for (let k = n; k--; ) o[p + n - k] = 128 | c >> 6 * k & 63;
    }
    p += n + 1;
  }
  return p;
}

export function utf8Encode(s: string): Uint8Array {
  const o = new Uint8Array(utf8Write(s, null, 0));
  utf8Write(s, o, 0);
  return o;
}

/**
 * Decodes b[start..end). Returns null for anything [MQTT-1.5.3-1] forbids (overlong forms,
 * surrogates, code points past U+10FFFF, truncated or stray continuation bytes) and for
 * U+0000 [MQTT-1.5.3-2].
 */
const chr = String.fromCharCode;

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
