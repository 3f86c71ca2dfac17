import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha256, sha256 } from '../../../firmware/crypto/sha256.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const fill = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);
const nodeSha = (m: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(m).digest());

// Lengths around the padding boundaries: 55 is the longest message that fits one block with
// its padding, 56..63 spill the length into a second block, 64 is exactly one block.
const length = fc.oneof(fc.constantFrom(0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129), fc.integer({ min: 0, max: 300 }));
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

describe('sha256: FIPS 180-2 / NIST CAVP vectors', () => {
  it('the empty message', () => {
    expect(hex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
  it('"abc" (one block)', () => {
    expect(hex(sha256(ascii('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('the 448-bit message (padding spills into a second block)', () => {
    expect(hex(sha256(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });
  it('the 896-bit message', () => {
    const m = 'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu';
    expect(hex(sha256(ascii(m)))).toBe('cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1');
  });
  it("one million 'a' (15,626 blocks)", () => {
    expect(hex(sha256(fill(1000000, 0x61)))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });
});

describe('sha256: derived round constants', () => {
  // The code derives K and H from roots of primes in floating point. This checks, exactly with
  // BigInt, that no constant lies within reach of floating-point error of a rounding boundary,
  // and that the doubles this engine computes give the exact values.
  const primes: number[] = [];
  for (let n = 2; primes.length < 64; n++) if (primes.every((p) => n % p)) primes.push(n);
  // floor(x^(1/k)) by integer Newton iteration from above.
  const iroot = (x: bigint, k: bigint): bigint => {
    let r = 1n << (BigInt(x.toString(2).length) / k + 1n);
    for (;;) {
      const n = ((k - 1n) * r + x / r ** (k - 1n)) / k;
      if (n >= r) return r;
      r = n;
    }
  };
  const extra = 40n;
  const cases = primes.map((p, i) => ({ p, k: 3n, double: Math.pow(p, 1 / 3), i })).concat(primes.slice(0, 8).map((p, i) => ({ p, k: 2n, double: Math.sqrt(p), i })));

  it('every constant is at least 1/200 of its last bit away from a rounding boundary', () => {
    let margin = 1;
    for (const c of cases) {
      const r = iroot(BigInt(c.p) << ((32n + extra) * c.k), c.k);
      const below = Number(r & ((1n << extra) - 1n)) / 2 ** Number(extra);
      margin = Math.min(margin, below, 1 - below);
    }
    expect(margin).toBeGreaterThan(0.005);
  });

  it('the doubles give the exact FIPS constants (e.g. K[0] = 0x428a2f98, H[0] = 0x6a09e667)', () => {
    const derived = cases.map((c) => BigInt(((c.double - Math.floor(c.double)) * 4294967296) >>> 0));
    const exact = cases.map((c) => iroot(BigInt(c.p) << (32n * c.k), c.k) & 0xffffffffn);
    expect(derived).toEqual(exact);
    expect(exact[0]).toBe(0x428a2f98n);
    expect(exact[63]).toBe(0xc67178f2n);
    expect(exact[64]).toBe(0x6a09e667n);
  });
});

describe('sha256: random messages against node:crypto', () => {
  it('matches for lengths 0..300, boundaries included', () => {
    fc.assert(
      fc.property(length.chain(bytes), (m) => hex(sha256(m)) === hex(nodeSha(m))),
      { numRuns: 400 },
    );
  });
  it('does not modify its input', () => {
    const m = ascii('unchanged');
    sha256(m);
    expect(Buffer.from(m).toString('latin1')).toBe('unchanged');
  });
});

describe('hmacSha256: RFC 4231 test cases 1-7', () => {
  const aa131 = fill(131, 0xaa);
  const cases: [string, Uint8Array, Uint8Array, string][] = [
    ['1', fill(20, 0x0b), ascii('Hi There'), 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'],
    ['2 (key shorter than the output)', ascii('Jefe'), ascii('what do ya want for nothing?'), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'],
    ['3 (50 bytes of data)', fill(20, 0xaa), fill(50, 0xdd), '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'],
    [
      '4 (25-byte key)',
      new Uint8Array(25).map((_, i) => i + 1),
      fill(50, 0xcd),
      '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
    ],
    ['6 (131-byte key, hashed first)', aa131, ascii('Test Using Larger Than Block-Size Key - Hash Key First'), '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'],
    [
      '7 (131-byte key, 152-byte data)',
      aa131,
      ascii('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'),
      '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
    ],
  ];
  for (const [name, key, data, mac] of cases) {
    it(`case ${name}`, () => {
      expect(hex(hmacSha256(key, data))).toBe(mac);
    });
  }
  it('case 5 (output truncated to 128 bits)', () => {
    expect(hex(hmacSha256(fill(20, 0x0c), ascii('Test With Truncation')).subarray(0, 16))).toBe('a3b6167473100ee06e0c796c2955552b');
  });
});

describe('hmacSha256: random keys and messages against node:crypto', () => {
  const keyLen = fc.oneof(fc.constantFrom(0, 1, 32, 63, 64, 65, 128), fc.integer({ min: 0, max: 200 }));
  it('matches for keys of 0..200 bytes and messages of 0..300 bytes', () => {
    fc.assert(
      fc.property(keyLen.chain(bytes), length.chain(bytes), (k, m) => hex(hmacSha256(k, m)) === createHmac('sha256', k).update(m).digest('hex')),
      { numRuns: 400 },
    );
  });
  it('uses the hash it is given (a native SHA-256 on a board)', () => {
    let calls = 0;
    const counted = (m: Uint8Array): Uint8Array => {
      calls++;
      return nodeSha(m);
    };
    fc.assert(
      fc.property(keyLen.chain(bytes), length.chain(bytes), (k, m) => hex(hmacSha256(k, m, counted)) === hex(hmacSha256(k, m))),
      { numRuns: 50 },
    );
    expect(calls).toBeGreaterThanOrEqual(100);
  });
  it('leaves key and message untouched', () => {
    const k = fill(100, 7);
    const m = fill(10, 9);
    hmacSha256(k, m);
    expect(k.every((x) => x === 7) && m.every((x) => x === 9)).toBe(true);
  });
});
