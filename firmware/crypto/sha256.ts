// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) in plain ES5 arithmetic, for boards without
// native crypto. Espruino has SHA-256 on some builds but no HMAC: pass its hash as `h`.

// Round constants are derived (fractional bits of square and cube roots of the first primes)
// instead of listed: the 72-number table would cost ~700 bytes of source, i.e. RAM on the board.
// The nearest any of them comes to a rounding boundary is 0.0055 of its last bit, far above
// the error of Math.pow/Math.sqrt; test/firmware/crypto/sha256.test.ts checks this with BigInt.
let K: number[] | undefined;
let H: number[];

function consts(): number[] {
  const k: number[] = [];
  H = [];
  for (let n = 2; k.length < 64; n++) {
    let d = 2;
    while (d * d <= n && n % d) d++;
    if (d * d > n) {
      if (k.length < 8) H.push(frac(Math.sqrt(n)));
      k.push(frac(Math.pow(n, 1 / 3)));
    }
  }
  return k;
}

function frac(x: number): number {
  return ((x - Math.floor(x)) * 4294967296) | 0;
}

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

/** SHA-256 digest (32 bytes). Works block by block, so memory does not grow with the message. */
export function sha256(m: Uint8Array): Uint8Array {
  const k = K || (K = consts());
  const l = m.length;
  const nb = ((l + 8) >> 6) + 1;
  const h = H.slice();
  const w: number[] = [];
  for (let b = 0; b < nb; b++) {
    for (let t = 0; t < 64; t++) {
      let x: number;
      if (t < 16) {
        x = 0;
        for (let j = b * 64 + t * 4, e = j + 4; j < e; j++) x = (x << 8) | (j < l ? m[j]! : j == l ? 128 : 0);
        // Message length in bits, big-endian, in the last 8 bytes of the last block.
        if (b == nb - 1 && t > 13) x = t == 14 ? (l / 536870912) | 0 : l << 3;
      } else {
        const a = w[t - 15]!;
        const c = w[t - 2]!;
        x = (w[t - 16]! + (rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)) + w[t - 7]! + (rotr(c, 17) ^ rotr(c, 19) ^ (c >>> 10))) | 0;
      }
      w[t] = x;
    }
    let a = h[0]!, b2 = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
    for (let t = 0; t < 64; t++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[t]! + w[t]!) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b2) ^ (a & c) ^ (b2 & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b2;
      b2 = a;
      a = (t1 + t2) | 0;
    }
    const v = [a, b2, c, d, e, f, g, hh];
    for (let i = 0; i < 8; i++) h[i] = (h[i]! + v[i]!) | 0;
  }
  const o = new Uint8Array(32);
  for (let i = 0; i < 32; i++) o[i] = h[i >> 2]! >> (24 - (i & 3) * 8);
  return o;
}

/**
 * HMAC-SHA256. Keys longer than the 64-byte block are hashed first (RFC 2104).
 * `h` lets a board plug in a native SHA-256 and keep only this wrapper in JS.
 */
export function hmacSha256(key: Uint8Array, msg: Uint8Array, h: (m: Uint8Array) => Uint8Array = sha256): Uint8Array {
  if (key.length > 64) key = h(key);
  const i = new Uint8Array(64 + msg.length);
  const o = new Uint8Array(96);
  for (let j = 0; j < 64; j++) {
    i[j] = (key[j] || 0) ^ 0x36;
    o[j] = (key[j] || 0) ^ 0x5c;
  }
  i.set(msg, 64);
  o.set(h(i), 64);
  return h(o);
}
