// SHA-256 (FIPS 180-4) in plain ES5 arithmetic, for boards without native crypto. HMAC is in
// hmac.ts, so boards whose Espruino build has SHA-256 never bundle this file.

// Round constants are derived (fractional bits of square and cube roots of the first primes)
// instead of listed: the 72-number table would cost ~700 bytes of source, i.e. RAM on the board.
// The nearest any of them comes to a rounding boundary is 0.0055 of its last bit, far above
// the error of Math.pow/Math.sqrt; test/firmware/crypto/sha256.test.ts checks this with BigInt.
let K: number[] | undefined;
let H: number[];

function consts(): number[] {
  const k: number[] = [];
  let n = 2, d;
  for (H = []; k.length < 64; n++) {
    for (d = 2; d * d <= n && n % d; ) d++;
    if (d * d > n) {
      if (k.length < 8) H.push(frac(Math.sqrt(n)));
      k.push(frac(Math.pow(n, 1 / 3)));
    }
  }
  return k;
}

function frac(x: number): number {
  return (x - Math.floor(x)) * 4294967296 | 0;
}

function rotr(x: number, n: number): number {
  return x >>> n | x << 32 - n;
}

/** rotr(x, a) ^ rotr(x, b) ^ rotr(x, c), or with c < 0 the last term x >>> -c. */
function mix(x: number, a: number, b: number, c: number): number {
  return rotr(x, a) ^ rotr(x, b) ^ (c < 0 ? x >>> -c : rotr(x, c));
}

/** SHA-256 digest (32 bytes). Works block by block, so memory does not grow with the message. */
export function sha256(m: Uint8Array): Uint8Array {
  const k = K || (K = consts()), l = m.length, nb = (l + 8 >> 6) + 1, h = H.slice(), w: number[] = [], o = new Uint8Array(32);
  let b = 0, t, x, j, a, e, t1;
  for (; b < nb; b++) {
    for (t = 0; t < 64; t++) {
      if (t < 16) {
        for (x = 0, j = b * 64 + t * 4; j < b * 64 + t * 4 + 4; j++) x = x << 8 | (j < l ? m[j]! : j == l ? 128 : 0);
        // Message length in bits, big-endian, in the last 8 bytes of the last block.
        if (b == nb - 1 && t > 13) x = t == 14 ? l / 536870912 | 0 : l << 3;
      } else x = w[t - 16]! + mix(w[t - 15]!, 7, 18, -3) + w[t - 7]! + mix(w[t - 2]!, 17, 19, -10) | 0;
      w[t] = x;
    }
    // The working variables a..h live in s: each round drops h, puts the new a in front and
    // adds t1 to e, which is the rotation the standard writes out as eight assignments.
    const s = h.slice();
    for (t = 0; t < 64; t++) {
      a = s[0]!;
      e = s[4]!;
      t1 = s[7]! + mix(e, 6, 11, 25) + (e & s[5]! ^ ~e & s[6]!) + k[t]! + w[t]! | 0;
      s.pop();
      s.unshift(t1 + mix(a, 2, 13, 22) + (a & s[1]! ^ a & s[2]! ^ s[1]! & s[2]!) | 0);
      s[4] = s[4]! + t1 | 0;
    }
    for (t = 0; t < 8; t++) h[t] = h[t]! + s[t]! | 0;
  }
  for (t = 0; t < 32; t++) o[t] = h[t >> 2]! >> 24 - (t & 3) * 8;
  return o;
}
