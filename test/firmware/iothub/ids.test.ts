import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { charError, checkDeviceId, checkModuleId, escapeText, idError } from '../../../firmware/iothub/ids.js';

const ALLOWED = "-.%_*?!(),:=@$'";
const allowedChar = fc.constantFrom(...('ABCXYZabcxyz0189' + ALLOWED).split(''));

describe('ids', () => {
  it('accepts alphanumerics and every special character IoT Hub allows', () => {
    for (const id of ['d1', 'A', 'dev-01.kitchen', "x$y'z", 'a,b:c=d@e', '(p%20q)*?!', '_'.repeat(128), ALLOWED]) {
      expect(idError('device id', id)).toBeNull();
      expect(() => checkDeviceId(id)).not.toThrow();
      expect(() => checkModuleId(id)).not.toThrow();
    }
  });

  it('accepts random ids made of allowed characters, 1..128 long', () => {
    fc.assert(fc.property(fc.string({ unit: allowedChar, minLength: 1, maxLength: 128 }), (id) => idError('device id', id) === null));
  });

  it('refuses the empty id and ids over 128 characters (without echoing a long id)', () => {
    expect(idError('device id', '', true)).toBe('device id is empty');
    expect(idError('device id', 'b'.repeat(200))).toBe('device id is longer than 128 characters');
    expect(() => checkDeviceId('')).toThrow('device id is empty');
    expect(() => checkModuleId('a'.repeat(129))).toThrow('module id is longer than 128 characters');
    expect(() => checkDeviceId(undefined as unknown as string)).toThrow('device id is empty');
  });

  it('refuses MQTT separators and wildcards, naming the id and the character', () => {
    expect(() => checkDeviceId('a/b')).toThrow("device id 'a/b': character '/' is not allowed");
    expect(() => checkDeviceId('a+')).toThrow("device id 'a+': character '+' is not allowed");
    expect(() => checkModuleId('#')).toThrow("module id '#': character '#' is not allowed");
  });

  it('refuses other ASCII punctuation, space and non-ASCII', () => {
    for (const c of [' ', '"', '&', ';', '<', '>', '[', ']', '\\', '^', '`', '{', '|', '}', '~', '\u00e9', '\u20ac']) {
      expect(idError('device id', 'x' + c)).toBe(`device id 'x${escapeText(c)}': character '${escapeText(c)}' is not allowed`);
      expect(idError('device id', 'x' + c, true)).toBe(`device id: character '${escapeText(c)}' is not allowed`);
    }
  });

  it('escapes control characters, DEL and lone surrogates in the message', () => {
    expect(idError('device id', 'a\u0000b')).toBe("device id 'a\\u0000b': character '\\u0000' is not allowed");
    expect(idError('device id', 'a\nb')).toBe("device id 'a\\u000ab': character '\\u000a' is not allowed");
    expect(idError('device id', 'x\u007f')).toBe("device id 'x\\u007f': character '\\u007f' is not allowed");
    expect(idError('module id', 'x\ud800')).toBe("module id 'x\\ud800': character '\\ud800' is not allowed");
  });

  it('escapeText keeps printable ASCII and escapes the rest, a code point past U+FFFF (Espruino) whole', () => {
    expect(escapeText('a "b" \u00e9\u20ac')).toBe('a "b" \\u00e9\\u20ac');
    expect(escapeText({ length: 1, charCodeAt: () => 0x1f600 } as unknown as string)).toBe('\\u{1f600}');
  });

  it('charError names the first character the pattern finds, quoting the text unless hidden', () => {
    expect(charError('HostName', 'a_b/c', /[/_]/)).toBe("HostName 'a_b/c': character '_' is not allowed");
    expect(charError('HostName', 'a\u0001b', /[^a-z]/, 1)).toBe("HostName: character '\\u0001' is not allowed");
    expect(charError('HostName', 'abc', /[^a-z]/)).toBeNull();
  });

  it('reports the first offending character', () => {
    expect(idError('device id', 'ok/then+')).toContain("character '/'");
  });

  it('refuses any id holding a character outside the allowed set, and its message is printable ASCII', () => {
    const anyChar = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)));
    fc.assert(
      fc.property(fc.string({ unit: allowedChar, maxLength: 20 }), anyChar, fc.string({ unit: allowedChar, maxLength: 20 }), (a, c, b) => {
        const ok = /^[A-Za-z0-9]$/.test(c) || ALLOWED.indexOf(c) >= 0;
        const e = idError('device id', a + c + b);
        return ok ? e === null : e !== null && /^[\x20-\x7e]*$/.test(e);
      }),
      { numRuns: 1000 },
    );
  });
});
