// SHA-256 (FIPS 180-4) in plain ES5 arithmetic, for boards without native crypto. HMAC is in
// hmac.ts, so boards whose Espruino build has SHA-256 never bundle this file.
//
// Shaped for Espruino, which re-reads a statement's source every time it runs and spends a memory
// block on every array element it keeps:
// - the eight working variables a..h are locals turned over by assignment each round, not an
//   array shuffled (pop/unshift) per round;
// - the message schedule is a window of 16 words computed as the rounds reach them;
// - the functions of the standard (Σ, σ, Ch, Maj) are written out where they are used: a call
//   costs a scope each time;
// - the constants are the hex text below, read (natively) as each round needs its word: the text
//   stays in the code, which a board reads from flash, where a table kept in an array would hold
//   about 75 blocks of RAM for good, on the boards with the least of it. Deriving them from the
//   roots of primes on every call instead took as long as the hash.
// test/firmware/crypto/sha256.test.ts checks the text against the constants derived exactly with
// BigInt (the fractional bits of the square roots, H, and cube roots, K, of the first primes).

/** SHA-256 digest (32 bytes). Works block by block, so memory does not grow with the message. */
export function sha256(m: Uint8Array): Uint8Array {
  // H0..H7, then K0..K63, 8 hex digits each. Here rather than in a module constant, which would
  // be a variable holding a copy in RAM for good.
  const hex = '6a09e667bb67ae853c6ef372a54ff53a510e527f9b05688c1f83d9ab5be0cd19428a2f9871374491b5c0fbcfe9b5dba53956c25b59f111f1923f82a4ab1c5ed5d807aa9812835b01243185be550c7dc372be5d7480deb1fe9bdc06a7c19bf174e49b69c1efbe47860fc19dc6240ca1cc2de92c6f4a7484aa5cb0a9dc76f988da983e5152a831c66db00327c8bf597fc7c6e00bf3d5a7914706ca63511429296727b70a852e1b21384d2c6dfc53380d13650a7354766a0abb81c2c92e92722c85a2bfe8a1a81a664bc24b8b70c76c51a3d192e819d6990624f40e3585106aa07019a4c1161e376c082748774c34b0bcb5391c0cb34ed8aa4a5b9cca4f682e6ff3748f82ee78a5636f84c878148cc7020890befffaa4506cebbef9a3f7c67178f2';
  const l = m.length, blocks = (l + 8 >> 6) + 1, h: number[] = [], w: number[] = [], out = new Uint8Array(32);
  let i, end, x, s, t, b, t1, t2, a, bb, c, d, e, f, g, hh;
  for (i = 0; i < 8; i++) h.push(parseInt(hex.slice(i * 8, i * 8 + 8), 16) | 0);
  for (b = 0; b < blocks; b++) {
    a = h[0]!, bb = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
    for (t = 0; t < 64; t++) {
      if (t < 16) {
        // Big-endian word t of block b: the message bytes, then 0x80 and zeros, and in the last
        // block's final 8 bytes the message length in bits.
        for (x = 0, i = b * 64 + t * 4, end = i + 4; i < end; i++) x = x << 8 | (i < l ? m[i]! : i == l ? 128 : 0);
        if (b == blocks - 1 && t > 13) x = t == 14 ? l / 536870912 | 0 : l << 3;
      } else {
        // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], in the window of 16.
        x = w[t + 14 & 15]!;
        s = w[t + 1 & 15]!;
        x = ((x >>> 17 | x << 15) ^ (x >>> 19 | x << 13) ^ x >>> 10) + w[t + 9 & 15]! + ((s >>> 7 | s << 25) ^ (s >>> 18 | s << 14) ^ s >>> 3) + w[t & 15]! | 0;
      }
      w[t & 15] = x;
      // T1 = h + Σ1(e) + Ch(e, f, g) + K[t] + W[t]; T2 = Σ0(a) + Maj(a, b, c).
      t1 = hh + ((e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7)) + (e & f ^ ~e & g) + (parseInt(hex.slice(64 + t * 8, 72 + t * 8), 16) | 0) + x | 0;
      t2 = ((a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10)) + (a & bb ^ a & c ^ bb & c) | 0;
      hh = g, g = f, f = e, e = d + t1 | 0, d = c, c = bb, bb = a, a = t1 + t2 | 0;
    }
    h[0] = h[0]! + a | 0, h[1] = h[1]! + bb | 0, h[2] = h[2]! + c | 0, h[3] = h[3]! + d | 0;
    h[4] = h[4]! + e | 0, h[5] = h[5]! + f | 0, h[6] = h[6]! + g | 0, h[7] = h[7]! + hh | 0;
  }
  for (t = 0; t < 32; t++) out[t] = h[t >> 2]! >> 24 - (t & 3) * 8;
  return out;
}
