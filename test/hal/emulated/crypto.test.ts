import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '../../../hal/emulated/crypto.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (s: string) => new TextEncoder().encode(s);

// RFC 4231 section 4 test cases 1, 2 and 6 (HMAC-SHA-256).
describe('nodeCrypto.hmacSha256', () => {
  const { hmacSha256 } = nodeCrypto();

  it('matches RFC 4231 case 1', () => {
    const out = hmacSha256(new Uint8Array(20).fill(0x0b), bytes('Hi There'));
    expect(hex(out)).toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
  });

  it('matches RFC 4231 case 2', () => {
    const out = hmacSha256(bytes('Jefe'), bytes('what do ya want for nothing?'));
    expect(hex(out)).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('matches RFC 4231 case 6 (key longer than a block)', () => {
    const out = hmacSha256(new Uint8Array(131).fill(0xaa), bytes('Test Using Larger Than Block-Size Key - Hash Key First'));
    expect(hex(out)).toBe('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
  });

  it('returns a plain Uint8Array of 32 bytes', () => {
    const out = hmacSha256(new Uint8Array(0), new Uint8Array(0));
    expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
    expect(out).toHaveLength(32);
  });
});
