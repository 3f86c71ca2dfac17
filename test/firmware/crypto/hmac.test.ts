import { createHash, createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bundleFirmware } from '../../../build/bundle.js';
import { hmac } from '../../../firmware/crypto/hmac.js';
import { sha256 } from '../../../firmware/crypto/sha256.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const fill = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);
const nodeSha = (m: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(m).digest());
const mac = (k: Uint8Array, m: Uint8Array): Uint8Array => hmac(sha256, k, m);

const length = fc.oneof(fc.constantFrom(0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129), fc.integer({ min: 0, max: 300 }));
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

describe('hmac over sha256: RFC 4231 test cases 1-7', () => {
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
  for (const [name, key, data, want] of cases) {
    it(`case ${name}`, () => {
      expect(hex(mac(key, data))).toBe(want);
    });
  }
  it('case 5 (output truncated to 128 bits)', () => {
    expect(hex(mac(fill(20, 0x0c), ascii('Test With Truncation')).subarray(0, 16))).toBe('a3b6167473100ee06e0c796c2955552b');
  });
});

describe('hmac over sha256: random keys and messages against node:crypto', () => {
  const keyLen = fc.oneof(fc.constantFrom(0, 1, 32, 63, 64, 65, 128), fc.integer({ min: 0, max: 200 }));
  it('matches for keys of 0..200 bytes and messages of 0..300 bytes', () => {
    fc.assert(
      fc.property(keyLen.chain(bytes), length.chain(bytes), (k, m) => hex(mac(k, m)) === createHmac('sha256', k).update(m).digest('hex')),
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
      fc.property(keyLen.chain(bytes), length.chain(bytes), (k, m) => hex(hmac(counted, k, m)) === hex(mac(k, m))),
      { numRuns: 50 },
    );
    expect(calls).toBeGreaterThanOrEqual(100);
  });
  it('leaves key and message untouched', () => {
    const k = fill(100, 7);
    const m = fill(10, 9);
    mac(k, m);
    expect(k.every((x) => x === 7) && m.every((x) => x === 9)).toBe(true);
  });
});

describe('hmac: what a board bundles', () => {
  const root = resolve(import.meta.dirname, '../../..');
  const modules = async (src: string): Promise<string[]> => {
    const dir = await mkdtemp(join(tmpdir(), 'tinyiot-hmac-'));
    try {
      const file = join(dir, 'entry.ts');
      await writeFile(file, src.replace(/@\//g, root + '/'));
      return (await bundleFirmware(file, { globalName: 'T' })).modules.map((m) => m.path.replace(/\\/g, '/'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  it('native SHA-256 boards (hal/espruino nativeCrypto) carry the HMAC wrapper but not the JS SHA-256', async () => {
    const m = await modules(`export { nativeCrypto } from '@/hal/espruino/crypto.ts';`);
    expect(m.some((p) => p.endsWith('firmware/crypto/hmac.ts'))).toBe(true);
    expect(m.some((p) => p.endsWith('firmware/crypto/sha256.ts'))).toBe(false);
  });
  it('boards without it (jsCrypto) carry both', async () => {
    const m = await modules(`export { jsCrypto } from '@/firmware/crypto/index.ts';`);
    expect(m.filter((p) => /firmware\/crypto\/(hmac|sha256)\.ts$/.test(p))).toHaveLength(2);
  });
});
