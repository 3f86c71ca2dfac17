import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nativeCrypto } from '../../../hal/espruino/crypto.js';
import { fakeEspruino } from '../../support/espruino-fakes/index.js';

const node = (k: Uint8Array, m: Uint8Array) => new Uint8Array(createHmac('sha256', k).update(m).digest());

describe('nativeCrypto', () => {
  const b = fakeEspruino();
  const c = nativeCrypto(b.env);

  it('matches node:crypto HMAC-SHA256 for keys around the 64-byte block size', () => {
    const msg = new TextEncoder().encode('myhub.azure-devices.net%2Fdevices%2Fd1\n1763000000');
    for (const n of [0, 1, 32, 63, 64, 65, 100, 200]) {
      const key = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
      expect(Buffer.from(c.hmacSha256(key, msg)).toString('hex')).toBe(Buffer.from(node(key, msg)).toString('hex'));
    }
  });

  it('matches node:crypto on random keys and messages', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 600 }), (k, m) => {
        expect(Array.from(c.hmacSha256(k, m))).toEqual(Array.from(node(k, m)));
      }),
      { numRuns: 200 },
    );
  });

  it('uses the board module: a board without it fails at once', () => {
    expect(() => nativeCrypto(fakeEspruino({ crypto: false }).env)).toThrow(/Module crypto not found/);
  });
});
