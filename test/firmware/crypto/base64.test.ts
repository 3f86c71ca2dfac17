import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode } from '../../../firmware/crypto/base64.js';

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

describe('base64', () => {
  it('encodes and decodes the RFC 4648 §10 vectors', () => {
    const v: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [plain, enc] of v) {
      expect(base64Encode(ascii(plain))).toBe(enc);
      expect(Buffer.from(base64Decode(enc)).toString('latin1')).toBe(plain);
    }
  });

  it('uses the standard alphabet with + and /', () => {
    expect(base64Encode(new Uint8Array([0xfb, 0xff, 0xbf]))).toBe('+/+/');
    expect(Array.from(base64Decode('+/+/'))).toEqual([0xfb, 0xff, 0xbf]);
  });

  it('agrees with Buffer in both directions for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const s = base64Encode(b);
        return s === Buffer.from(b).toString('base64') && Buffer.from(base64Decode(s)).equals(Buffer.from(b));
      }),
      { numRuns: 500 },
    );
  });

  it('rejects lengths that are not a multiple of 4, naming the length', () => {
    for (const s of ['Z', 'Zg', 'Zg=', 'Zm9vY', 'Zm9vYg']) {
      expect(() => base64Decode(s)).toThrow(`base64: length ${s.length} is not a multiple of 4`);
    }
  });

  it('rejects characters outside the alphabet, naming the offset', () => {
    const bad: [string, number][] = [
      ['Zm9v!A==', 4],
      ['Zm 9', 2],
      ['Zm9v\nZm9v', 4], // length 9: caught by the length check first
      ['-_8A', 0], // URL-safe alphabet
      ['Zg==Zg==', 2], // padding in the middle
      ['====', 0],
      ['Z===', 1],
      ['Zm9\u00e9', 3],
    ];
    for (const [s, at] of bad) {
      const msg = s.length % 4 ? `base64: length ${s.length}` : `base64: bad character at offset ${at}`;
      expect(() => base64Decode(s)).toThrow(msg);
    }
  });

  it('never quotes its input in an error (it is usually a key)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 64 }), fc.nat(), fc.constantFrom('!', ' ', '-', '_', '.', '\u00e9', '='), (b, i, c) => {
        const s = base64Encode(b);
        const at = i % (s.length - 2);
        const broken = s.slice(0, at) + c + s.slice(at + 1);
        try {
          base64Decode(broken);
          return false;
        } catch (e) {
          const m = (e as Error).message;
          return m.indexOf(s.slice(0, 4)) < 0 && m.indexOf(broken.slice(at, at + 4)) < 0;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('for any string, either throws or decodes exactly as Buffer does', () => {
    const alphabetish = fc.string({ unit: fc.constantFrom(...'ABCDabcd0189+/=!'.split('')), maxLength: 16 });
    fc.assert(
      fc.property(alphabetish, (s) => {
        let ours: Uint8Array;
        try {
          ours = base64Decode(s);
        } catch {
          return !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s);
        }
        return Buffer.from(ours).equals(Buffer.from(s, 'base64'));
      }),
      { numRuns: 1000 },
    );
  });
});
