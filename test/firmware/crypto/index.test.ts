import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Crypto } from '../../../hal/types.js';
import * as crypto from '../../../firmware/crypto/index.js';

describe('firmware/crypto index', () => {
  it('jsCrypto() is a HAL Crypto whose HMAC matches node:crypto', () => {
    const c: Crypto = crypto.jsCrypto();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 200 }), (k, m) => {
        return Buffer.from(c.hmacSha256(k, m)).equals(createHmac('sha256', k).update(m).digest());
      }),
      { numRuns: 100 },
    );
  });

  it('jsCrypto() ignores any extra argument a caller passes', () => {
    const c = crypto.jsCrypto() as unknown as { hmacSha256(k: Uint8Array, m: Uint8Array, h: unknown): Uint8Array };
    const k = new Uint8Array([1, 2, 3]);
    const m = new Uint8Array([4, 5]);
    expect(Buffer.from(c.hmacSha256(k, m, () => new Uint8Array(32))).equals(createHmac('sha256', k).update(m).digest())).toBe(true);
  });

  it('re-exports the primitives', () => {
    expect(Object.keys(crypto).sort()).toEqual(['base64Decode', 'base64Encode', 'hmac', 'jsCrypto', 'sha256']);
  });
});
