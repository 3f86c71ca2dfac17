import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../firmware/crypto/sha256.js';

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

describe('sha256: round constants', () => {
  // The code reads H and K from hex text. This derives them exactly with BigInt from the roots of
  // the first primes, checks the text against them, and checks that the roots in floating point
  // (as the code once derived them) give the same values: no constant lies within reach of
  // floating-point error of a rounding boundary.
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

  it("the hex text in sha256.ts is H0..H7 then K0..K63, exactly", () => {
    const source = readFileSync(new URL('../../../firmware/crypto/sha256.ts', import.meta.url), 'utf8');
    const texts = source.match(/'[0-9a-f]{64,}'/g) ?? [];
    expect(texts).toHaveLength(1);
    const exact = (p: number, k: bigint) => (iroot(BigInt(p) << (32n * k), k) & 0xffffffffn).toString(16).padStart(8, '0');
    const want = primes.slice(0, 8).map((p) => exact(p, 2n)).join('') + primes.map((p) => exact(p, 3n)).join('');
    expect(texts[0]).toBe(`'${want}'`);
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
