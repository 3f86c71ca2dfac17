import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, utf8Decode, utf8Encode } from '../../../../firmware/mqtt/codec/utf8.js';

const node = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/** The reference: Node's strict decoder, plus MQTT's ban on U+0000. */
function reference(b: Uint8Array): string | null {
  try {
    const s = fatal.decode(b);
    return s.indexOf('\0') < 0 ? s : null;
  } catch {
    return null;
  }
}
const dec = (b: Uint8Array) => utf8Decode(b, 0, b.length);

describe('utf8Encode', () => {
  it('matches Node for any string of valid code points', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      expect(utf8Encode(s)).toEqual(node(s));
    }), { numRuns: 2000 });
  });

  it('encodes each length boundary', () => {
    const cases: [string, number[]][] = [
      ['\u007f', [0x7f]],
      ['\u0080', [0xc2, 0x80]],
      ['\u07ff', [0xdf, 0xbf]],
      ['\u0800', [0xe0, 0xa0, 0x80]],
      ['\uffff', [0xef, 0xbf, 0xbf]],
      ['\u{10000}', [0xf0, 0x90, 0x80, 0x80]],
      ['\u{10FFFF}', [0xf4, 0x8f, 0xbf, 0xbf]],
      ['\u{1F642}', [0xf0, 0x9f, 0x99, 0x82]],
    ];
    for (const [s, bytes] of cases) expect([...utf8Encode(s)], s).toEqual(bytes);
  });

  it('turns a lone surrogate into U+FFFD, as Node does', () => {
    for (const s of ['\ud800', 'a\udc00b', '\udbff', 'x\ud83d', '\ude42\ud83d']) {
      expect(utf8Encode(s)).toEqual(node(s));
    }
    expect([...utf8Encode('\ud800')]).toEqual([0xef, 0xbf, 0xbd]);
  });
});

describe('utf8Decode', () => {
  it('round-trips any string without U+0000', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      expect(dec(utf8Encode(s))).toBe(s.indexOf('\0') < 0 ? s : null);
    }), { numRuns: 2000 });
  });

  it('agrees with a strict decoder on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 12 }), (b) => {
      expect(dec(b)).toBe(reference(b));
    }), { numRuns: 5000 });
  });

  it('agrees with a strict decoder on mutated valid UTF-8', () => {
    const mutated = fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), fc.nat(), fc.nat(255),
      fc.boolean()).map(([s, at, v, cut]) => {
      const b = utf8Encode(s);
      const i = at % b.length;
      if (cut) return b.subarray(0, i);
      b[i] = v;
      return b;
    });
    fc.assert(fc.property(mutated, (b) => {
      expect(dec(b)).toBe(reference(b));
    }), { numRuns: 5000 });
  });

  it('rejects each kind of invalid sequence [MQTT-1.5.3-1] and U+0000 [MQTT-1.5.3-2]', () => {
    const bad: [string, number[]][] = [
      ['overlong 2-byte NUL', [0xc0, 0x80]],
      ['overlong 2-byte', [0xc1, 0xbf]],
      ['overlong 3-byte', [0xe0, 0x9f, 0xbf]],
      ['overlong 4-byte', [0xf0, 0x8f, 0xbf, 0xbf]],
      ['high surrogate', [0xed, 0xa0, 0x80]],
      ['low surrogate', [0xed, 0xbf, 0xbf]],
      ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
      ['F5 lead', [0xf5, 0x80, 0x80, 0x80]],
      ['F8 lead', [0xf8, 0x90, 0x80, 0x80]],
      ['FF', [0xff]],
      ['stray continuation', [0x61, 0x80]],
      ['truncated 2-byte', [0xc3]],
      ['truncated 3-byte', [0xe2, 0x82]],
      ['truncated 4-byte', [0xf0, 0x9f, 0x99]],
      ['bad continuation', [0xe2, 0x28, 0xa1]],
      ['NUL', [0x61, 0x00, 0x62]],
    ];
    for (const [name, bytes] of bad) expect(dec(new Uint8Array(bytes)), name).toBeNull();
  });

  it('accepts the edges of the valid ranges', () => {
    const ok: [number[], string][] = [
      [[0x01], '\u0001'],
      [[0xc2, 0x80], '\u0080'],
      [[0xed, 0x9f, 0xbf], '\ud7ff'],
      [[0xee, 0x80, 0x80], '\ue000'],
      [[0xef, 0xbb, 0xbf], '\ufeff'],
      [[0xf0, 0x90, 0x80, 0x80], '\u{10000}'],
      [[0xf4, 0x8f, 0xbf, 0xbf], '\u{10FFFF}'],
      [[], ''],
    ];
    for (const [bytes, s] of ok) expect(dec(new Uint8Array(bytes))).toBe(s);
  });

  it('reads only the given range', () => {
    const b = new Uint8Array([0xff, 0x61, 0xc3, 0xa9, 0x00]);
    expect(utf8Decode(b, 1, 4)).toBe('a\u00e9');
    expect(utf8Decode(b, 1, 3)).toBeNull(); // cuts the 2-byte sequence
    expect(utf8Decode(b, 2, 2)).toBe('');
  });
});

describe('bytes', () => {
  it('encodes a string as UTF-8 and passes bytes through as they are', () => {
    const u = new Uint8Array([0, 255]);
    expect(bytes(u)).toBe(u);
    expect(bytes('h\u00e9\u{1F642}')).toEqual(node('h\u00e9\u{1F642}'));
    expect(bytes('')).toEqual(new Uint8Array(0));
  });
});
