import { describe, expect, it } from 'vitest';
import { toByteString, toBytes } from '../../../hal/espruino/bytes.js';
import { fakeE } from '../../support/espruino-fakes/index.js';
import { withEspruinoSubarray } from '../../support/subarray.js';

const all = Uint8Array.from({ length: 256 }, (_, i) => i);
const allStr = String.fromCharCode(...all);
const big = Uint8Array.from({ length: 100_003 }, (_, i) => (i * 131 + (i >> 8)) & 0xff);

describe.each([
  ['native E', () => fakeE(true)],
  ['E without converters (Object.prototype.toString must not be taken for E.toString)', () => fakeE(false)],
  ['no E', () => undefined],
])('byte conversion with %s', (_name, mk) => {
  it('maps every byte value 0-255 both ways', () => {
    const E = mk();
    expect(Array.from(toBytes(allStr, E))).toEqual(Array.from(all));
    const s = toByteString(all, E);
    expect(s.length).toBe(256);
    for (let i = 0; i < 256; i++) expect(s.charCodeAt(i)).toBe(i);
  });

  it('round-trips a 100 KB payload (longer than one apply() chunk) exactly', () => {
    const E = mk();
    const s = toByteString(big, E);
    expect(s).toBe(Buffer.from(big).toString('latin1'));
    expect(Buffer.from(toBytes(s, E)).equals(Buffer.from(big))).toBe(true);
  });

  it('converts a view into a larger buffer without its neighbours', () => {
    const E = mk();
    const view = big.subarray(1000, 1300);
    expect(toByteString(view, E)).toBe(Buffer.from(view).toString('latin1'));
  });

  it('handles empty input', () => {
    const E = mk();
    expect(toBytes('', E).length).toBe(0);
    expect(toByteString(new Uint8Array(0), E)).toBe('');
  });
});

describe('the JS fallback on Espruino', () => {
  it('never passes apply() more than the 64 arguments Espruino allows', () => {
    const real = String.fromCharCode;
    let most = 0;
    String.fromCharCode = function (...codes: number[]) {
      if (codes.length > 64) throw new Error('Array passed to Function.apply is too big! Maximum 64 arguments');
      most = Math.max(most, codes.length);
      return real(...codes);
    };
    try {
      expect(toByteString(big.subarray(0, 1000))).toBe(Buffer.from(big.subarray(0, 1000)).toString('latin1'));
    } finally {
      String.fromCharCode = real;
    }
    expect(most).toBe(64);
  });

  it('never asks subarray for bytes past the end (Espruino returns them: NULs in the string)', () => {
    const odd = big.subarray(0, 100);
    expect(withEspruinoSubarray(() => toByteString(odd))).toBe(Buffer.from(odd).toString('latin1'));
  });
});

describe('when E.toString finds no flat block of RAM', () => {
  it('falls back to the JS conversion', () => {
    const E = fakeE(true);
    E.fragmented = true;
    expect(toByteString(big, E)).toBe(Buffer.from(big).toString('latin1'));
  });
});
