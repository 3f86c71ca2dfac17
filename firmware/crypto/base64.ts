// Standard base64 (RFC 4648 §4, with padding). Espruino has btoa/atob, duktape and mujs do not.
// Errors never quote the input: it is usually a key. The alphabet is written out in each function
// rather than shared: a string in code stays in flash on a board, a module constant is a copy in RAM.

export function base64Encode(b: Uint8Array): string {
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let s = '', i = 0, n;
  const p = (3 - b.length % 3) % 3;
  // Bytes past the end read as undefined, which the shifts turn into 0.
  for (; i < b.length; i += 3) {
    n = b[i]! << 16 | b[i + 1]! << 8 | b[i + 2]!;
    s += A.charAt(n >> 18) + A.charAt(n >> 12 & 63) + A.charAt(n >> 6 & 63) + A.charAt(n & 63);
  }
  return s.slice(0, s.length - p) + '=='.slice(2 - p);
}

/** Strict: padded, no whitespace, no URL-safe alphabet. Throws on anything else. */
export function base64Decode(s: string): Uint8Array {
  // Up to two `=` at the end. Not /={0,2}$/: Espruino has no {m,n}, and its exec() of a pattern
  // that can match empty at the end gives null.
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const l = s.length, p = s.charAt(l - 1) != '=' ? 0 : s.charAt(l - 2) != '=' ? 1 : 2;
  if (l % 4) throw new Error('base64: length ' + l + ' is not a multiple of 4');
  const o = new Uint8Array(l / 4 * 3 - p);
  let i = 0, j = 0, n = 0, b = 0, v;
  // Six bits per character into n; a byte out whenever 8 are pending (b of them stay pending).
  // 6 * (l - p) / 8 rounded down is exactly o.length, and stores keep the low 8 bits.
  for (; i < l - p; i++) {
    v = A.indexOf(s.charAt(i));
    if (v < 0) throw new Error('base64: bad character at offset ' + i);
    n = n << 6 | v;
    if ((b += 6) > 7) o[j++] = n >> (b -= 8);
  }
  return o;
}
