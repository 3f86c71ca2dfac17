import { stringify } from 'node:querystring';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePropertyBag, encodePropertyBag, uriDecode, uriEncode } from '../../../firmware/iothub/propbag.js';

// Keys and values mixing the characters that matter in bags and topics with arbitrary Unicode
// (astral-plane graphemes such as emoji included; lone surrogates excluded: they are not text).
const tricky = fc.constantFrom('&', '=', '%', '/', '+', '$', '#', ' ', '?', '😀', 'é', '%2', '%zz', '.', '\u0000');
const text = (min: number) =>
  fc.array(fc.oneof(tricky, fc.string({ unit: 'grapheme', maxLength: 4 })), { minLength: min, maxLength: 6 }).map((a) => a.join(''));
const key = text(1).filter((k) => k.length > 0 && k !== '__proto__');
const bag = fc.dictionary(key, fc.option(text(0), { nil: null }), { maxKeys: 6 });

describe('encodePropertyBag', () => {
  it('writes k=v pairs joined by &, a null value as the bare key, an empty value as k=', () => {
    expect(encodePropertyBag({})).toBe('');
    expect(encodePropertyBag({ a: '1', b: null, c: '' })).toBe('a=1&b&c=');
    expect(encodePropertyBag({ a: '1', skipped: undefined, b: '2' })).toBe('a=1&b=2');
    expect(encodePropertyBag(undefined)).toBe('');
  });

  it('URL-encodes like the Azure Node SDK: $ as %24, / as %2F, space as %20, + and # escaped', () => {
    expect(encodePropertyBag({ '$.ct': 'application/json', '$.ce': 'utf-8' })).toBe('%24.ct=application%2Fjson&%24.ce=utf-8');
    expect(encodePropertyBag({ 'a b': 'x+y#z', 'k&=': '50%' })).toBe('a%20b=x%2By%23z&k%26%3D=50%25');
    expect(encodePropertyBag({ e: '😀é' })).toBe('e=%F0%9F%98%80%C3%A9');
  });

  it('matches querystring.stringify (what azure-iot-device-mqtt uses for system properties) for string values', () => {
    fc.assert(
      fc.property(fc.dictionary(key, text(0), { maxKeys: 6 }), (o) => encodePropertyBag(o) === stringify(o)),
      { numRuns: 500 },
    );
  });

  it('never emits a character MQTT forbids or that would split a topic level', () => {
    fc.assert(fc.property(bag, (o) => !/[+#/\u0000]/.test(encodePropertyBag(o))), { numRuns: 500 });
  });

  it('refuses keys that cannot round-trip', () => {
    expect(() => encodePropertyBag({ '': 'x' })).toThrow("property bag: key '' is not allowed");
    expect(() => encodePropertyBag(JSON.parse('{"__proto__":"x"}') as Record<string, string>)).toThrow("key '__proto__' is not allowed");
  });

  it('writes a lone surrogate as U+FFFD, as the MQTT codec does (it has no UTF-8 form)', () => {
    expect(encodePropertyBag({ a: '\ud800', b: 'x\ude00' })).toBe('a=%EF%BF%BD&b=x%EF%BF%BD');
  });
});

describe('uriEncode and uriDecode', () => {
  // The escapes are made over the UTF-8 of the text, not by the engine (Espruino's garbles it).
  it('uriEncode is encodeURIComponent for any text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 12 }), (s) => uriEncode(s) === encodeURIComponent(s)), { numRuns: 1000 });
    expect(uriEncode('caf\u00e9 \u20ac\u{1F600}\u4e2d!*')).toBe('caf%C3%A9%20%E2%82%AC%F0%9F%98%80%E4%B8%AD!*');
  });

  it('uriDecode is decodeURIComponent for what it encodes, raw text beyond ASCII and mixed case hex', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 12 }), (s) => uriDecode(uriEncode(s)) === s), { numRuns: 1000 });
    expect(uriDecode('%c3%A9\u20ac%F0%9F%98%80')).toBe('\u00e9\u20ac\u{1F600}');
    expect(uriDecode('a%00b')).toBe('a\u0000b');
  });

  it('uriDecode gives null where decodeURIComponent throws', () => {
    for (const s of ['%', '%2', '%zz', 'a%g0', '%C3', '%C3%28', '%ED%A0%80', '%F4%90%80%80', '%80']) {
      expect(() => decodeURIComponent(s), s).toThrow(URIError);
      expect(uriDecode(s), s).toBeNull();
      expect(uriDecode(s, true), s).toBeNull();
    }
  });

  it('with plain (ASCII text), decodes the same: escapes of ASCII by the engine, the rest through UTF-8', () => {
    const ascii = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '$', '.', '/', ' ', '+', '%', '&', '=', '\u0000', '\u007f', '\u00e9', '\u20ac'), maxLength: 10 });
    fc.assert(fc.property(ascii, (s) => {
      const e = uriEncode(s);
      return uriDecode(e, true) === s && uriDecode(e, true) === uriDecode(e);
    }), { numRuns: 1000 });
    expect(uriDecode('%24.to=%2Fdevices%2Fd1', true)).toBe('$.to=/devices/d1');
    expect(uriDecode('caf%C3%A9%20x', true)).toBe('caf\u00e9 x');
    expect(uriDecode('no escapes', true)).toBe('no escapes');
  });
});

describe('decodePropertyBag', () => {
  it('reads what the hub sends on a C2D topic', () => {
    expect(decodePropertyBag('%24.to=%2Fdevices%2Fd1%2Fmessages%2FdeviceBound&%24.ct=text%2Fplain%3B%20charset%3DUTF-8&%24.ce=utf-8&bbb=bbbb')).toEqual({
      '$.to': '/devices/d1/messages/deviceBound',
      '$.ct': 'text/plain; charset=UTF-8',
      '$.ce': 'utf-8',
      bbb: 'bbbb',
    });
    expect(decodePropertyBag('ne1&ne2=&ne3=ne')).toEqual({ ne1: null, ne2: '', ne3: 'ne' });
  });

  it('keeps + as a plus (decodeURIComponent semantics, as the SDK and hub use), unlike URLSearchParams', () => {
    expect(decodePropertyBag('a=1+2')).toEqual({ a: '1+2' });
    expect(new URLSearchParams('a=1+2').get('a')).toBe('1 2');
    expect(decodePropertyBag('a=1%202')).toEqual({ a: '1 2' });
  });

  it('takes a value holding = literally, and the last of repeated keys', () => {
    expect(decodePropertyBag('a=b=c')).toEqual({ a: 'b=c' });
    expect(decodePropertyBag('a=1&a=2')).toEqual({ a: '2' });
  });

  it('returns null for malformed bags instead of throwing', () => {
    for (const s of ['a=%', 'a=%2', 'a=%zz', '%E0%A4=1', 'a=%FF', 'a=%ED%A0%80', 'a&&b', '&a', 'a&', '=v', 'a=1&=2', '__proto__=x', '%5F_proto__']) {
      expect(decodePropertyBag(s)).toBeNull();
    }
    expect(decodePropertyBag('')).toEqual({});
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '=', '&', '%', '2', 'F', 'E', '0', '+', '😀', '\ud800'), maxLength: 30 }), (s) => {
        const r = decodePropertyBag(s);
        return r === null || typeof r === 'object';
      }),
      { numRuns: 2000 },
    );
  });
});

describe('round trips', () => {
  it('decode(encode(bag)) is the bag, for arbitrary Unicode keys and values', () => {
    fc.assert(
      fc.property(bag, (o) => {
        expect(decodePropertyBag(encodePropertyBag(o))).toEqual(o);
      }),
      { numRuns: 1000 },
    );
  });

  it('encode(decode(s)) is s, for every s encode can produce', () => {
    fc.assert(
      fc.property(bag, (o) => {
        const s = encodePropertyBag(o);
        return encodePropertyBag(decodePropertyBag(s)!) === s;
      }),
      { numRuns: 500 },
    );
  });

  it('URLSearchParams reads our bags back to the same entries (null values read as "")', () => {
    fc.assert(
      fc.property(bag, (o) => {
        const theirs = Array.from(new URLSearchParams(encodePropertyBag(o)).entries());
        const ours = Object.keys(o).map((k) => [k, o[k] ?? '']);
        expect(theirs).toEqual(ours);
      }),
      { numRuns: 500 },
    );
  });

  it('we read URLSearchParams output back exactly when no value holds a space (which it writes as +)', () => {
    const noSpace = fc.dictionary(key.filter((k) => !k.includes(' ')), text(0).filter((v) => !v.includes(' ')), { maxKeys: 6 });
    fc.assert(
      fc.property(noSpace, (o) => {
        expect(decodePropertyBag(new URLSearchParams(o).toString())).toEqual(o);
      }),
      { numRuns: 500 },
    );
  });
});
