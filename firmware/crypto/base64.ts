// Standard base64 (RFC 4648 §4, with padding). Espruino has btoa/atob, duktape and mujs do not.
// Errors never quote the input: it is usually a key.

const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64Encode(b: Uint8Array): string {
  let s = '';
  const l = b.length;
  for (let i = 0; i < l; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] || 0) << 8) | (b[i + 2] || 0);
    s += A.charAt(n >> 18) + A.charAt((n >> 12) & 63) + (i + 1 < l ? A.charAt((n >> 6) & 63) : '=') + (i + 2 < l ? A.charAt(n & 63) : '=');
  }
  return s;
}

/** Strict: padded, no whitespace, no URL-safe alphabet. Throws on anything else. */
export function base64Decode(s: string): Uint8Array {
  const l = s.length;
  if (l % 4) throw new Error('base64: length ' + l + ' is not a multiple of 4');
  const p = s.charAt(l - 1) == '=' ? (s.charAt(l - 2) == '=' ? 2 : 1) : 0;
  const o = new Uint8Array((l / 4) * 3 - p);
  let n = 0;
  let j = 0;
  for (let i = 0; i < l - p; i++) {
    const v = A.indexOf(s.charAt(i));
    if (v < 0) throw new Error('base64: bad character at offset ' + i);
    n = (n << 6) | v;
    if ((i & 3) == 3) {
      o[j++] = n >> 16;
      o[j++] = n >> 8;
      o[j++] = n;
    }
  }
  // Typed-array stores keep the low 8 bits, so the shifts need no masks.
  if (p == 1) {
    o[j++] = n >> 10;
    o[j] = n >> 2;
  } else if (p) o[j] = n >> 4;
  return o;
}
