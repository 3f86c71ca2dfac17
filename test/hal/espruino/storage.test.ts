import { describe, expect, it } from 'vitest';
import { espruinoStorage, storageName } from '../../../hal/espruino/storage.js';
import { fakeStorage } from '../../support/espruino-fakes/index.js';

/** FNV-1a 32-bit with BigInt arithmetic, as an oracle for the shift-and-add form. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5n;
  for (let i = 0; i < s.length; i++) h = ((h ^ BigInt(s.charCodeAt(i))) * 16777619n) & 0xffffffffn;
  return Number(h);
}

describe('storageName', () => {
  it('keeps keys of up to 27 characters as they are', () => {
    expect(storageName('mqtt.outbox')).toBe('mqtt.outbox');
    const k27 = 'x'.repeat(27);
    expect(storageName(k27)).toBe(k27);
  });

  it('maps longer keys to 28 characters: 20-character prefix, "~", FNV-1a in base 36', () => {
    for (const k of ['y'.repeat(28), 'tinyiot/outbox/device-0042/session', 'é'.repeat(40), 'a'.repeat(500)]) {
      const n = storageName(k);
      expect(n).toHaveLength(28);
      expect(n).toBe(k.slice(0, 20) + '~' + fnv1a(k).toString(36).padStart(7, '0'));
      expect(storageName(k)).toBe(n);
    }
  });

  it('gives keys that share their first 28 characters different names', () => {
    const base = 'tinyiot/outbox/very-long-device-name';
    const names = new Set(Array.from({ length: 1000 }, (_, i) => storageName(base + i)));
    expect(names.size).toBe(1000);
  });

  it('never maps a long key onto a short key', () => {
    for (let i = 0; i < 200; i++) expect(storageName('k'.repeat(28 + i)).length).toBe(28);
  });
});

describe('espruinoStorage', () => {
  it('reads undefined for a missing key, then what was written, binary-safe', () => {
    const S = fakeStorage();
    const st = espruinoStorage(S);
    expect(st.read('a')).toBeUndefined();
    const v = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    st.write('a', v);
    expect(st.read('a')).toBe(v);
    st.erase('a');
    expect(st.read('a')).toBeUndefined();
  });

  it('keeps two long keys apart although Espruino cuts names at 28 characters', () => {
    const S = fakeStorage();
    const st = espruinoStorage(S);
    const k1 = 'tinyiot/outbox/device-with-long-name/1';
    const k2 = 'tinyiot/outbox/device-with-long-name/2';
    st.write(k1, 'one');
    st.write(k2, 'two');
    expect([st.read(k1), st.read(k2)]).toEqual(['one', 'two']);
    expect(S.list().every((n) => n.length <= 28)).toBe(true);
    // The fake cuts like Espruino: without the mapping the second write would overwrite the first.
    S.write(k1, 'x');
    S.write(k2, 'y');
    expect(S.read(k1)).toBe('y');
  });

  it('stores an empty value as no file (Espruino cannot create a zero-length file)', () => {
    const S = fakeStorage();
    const st = espruinoStorage(S);
    st.write('q', 'data');
    st.write('q', '');
    expect(st.read('q')).toBeUndefined();
    expect(S.list()).toEqual([]);
    expect(() => S.write('q', '')).toThrow(/zero length/);
  });

  it('throws when the flash is full instead of losing data silently', () => {
    const S = fakeStorage(10);
    const st = espruinoStorage(S);
    st.write('a', '12345');
    expect(() => st.write('b', '1234567890')).toThrow(/cannot write "b" \(flash full\?\)/);
    expect(st.read('a')).toBe('12345');
  });
});
