// Property bags: the `k=v&k2=v2` tail of telemetry and cloud-to-device topics.
//
// Encoding is encodeURIComponent on keys and values, which is what azure-iot-device-mqtt does for
// message properties (system properties go through querystring.stringify, same character set):
// `$` becomes %24, `/` %2F, space %20, and `+` / `#` are escaped, as they must be, since MQTT
// forbids wildcards in a PUBLISH topic name. Decoding is decodeURIComponent, as the SDK's C2D
// handler does: `+` stays a plus, never a space. The hub itself writes spaces as %20
// (e.g. `%24.ct=text%2Fplain%3B%20charset%3DUTF-8`). A key without `=` has a null value, `k=` an
// empty one (the hub's mapping of AMQP null / "" properties).
//
// The escapes of text that is not ASCII are made and read here, over the UTF-8 of utf8.ts:
// Espruino's encodeURIComponent garbles such text, its decodeURIComponent refuses every escape
// above %7F and reads a bad escape such as %zz as a character. Its UTF-8 strings count bytes in
// slice(), so the strings are cut with split() and only after ASCII. A piece cut from a UTF-8
// string stays marked UTF-8 even when it is ASCII, and a property keyed by such a string is not
// found by `bag.$rid` there: every key and value is made anew from its bytes by utf8Decode, which
// marks only what is not ASCII.
import { utf8Decode, utf8Encode } from '../mqtt/codec/utf8.js';

export type PropertyBag = Record<string, string | null>;

/**
 * encodeURIComponent over the UTF-8 of s, on every engine; a lone surrogate is written as
 * U+FFFD (%EF%BF%BD), as the MQTT codec writes it. ASCII goes to the engine's own function whole.
 */
export function uriEncode(s: string): string {
  if (!/[^\0-\x7f]/.test(s)) return encodeURIComponent(s);
  const b = utf8Encode(s);
  let r = '', i = 0, c;
  for (; i < b.length; i++) {
    c = b[i]!;
    r += c < 128 ? encodeURIComponent(String.fromCharCode(c)) : '%' + c.toString(16).toUpperCase();
  }
  return r;
}

/**
 * decodeURIComponent: %XX escapes are UTF-8 bytes, other characters stand for themselves. Null for
 * a bad escape or escapes that are not UTF-8 (U+0000 included, as decodeURIComponent allows it).
 * A lone surrogate outside an escape comes back as U+FFFD. `plain` says s is ASCII and not cut
 * from a UTF-8 string: then text whose escapes are all of ASCII characters (what the hub writes:
 * %24, %2F, %20) goes to the engine's own decodeURIComponent, one native call, which is right for
 * that on every engine, Espruino's included; anything else is decoded here, byte by byte.
 */
export function uriDecode(s: string, plain?: boolean): string | null {
  if (plain && s.replace(/%[0-7][\da-fA-F]/g, '').indexOf('%') < 0) return decodeURIComponent(s);
  const p = s.split('%'), a: number[] = [];
  let i = 0, j, x, u;
  for (; i < p.length; i++) {
    x = p[i]!;
    if (i) {
      if (!/^[\da-fA-F][\da-fA-F]/.test(x)) return null;
      a.push(parseInt(x.slice(0, 2), 16));
      x = x.slice(2);
    }
    for (u = utf8Encode(x), j = 0; j < u.length; ) a.push(u[j++]!);
  }
  return utf8Decode(new Uint8Array(a), 0, a.length, 1);
}

/**
 * Keys with an undefined value are left out; no bag at all is the empty one. Throws on an empty
 * key or `__proto__` (neither can round-trip).
 */
export function encodePropertyBag(props?: Record<string, string | null | undefined>): string {
  let s = '';
  // for-in over undefined runs no iteration, so a missing bag needs no test.
  for (const k in props) {
    const v = props[k];
    if (v === undefined) continue;
    if (!k || k == '__proto__') throw new Error("property bag: key '" + k + "' is not allowed");
    s += (s && '&') + uriEncode(k) + (v === null ? '' : '=' + uriEncode(v));
  }
  return s;
}

/**
 * Exact inverse of encodePropertyBag. Wire input never throws: a bad %-escape, invalid UTF-8, an
 * empty key (`a&&b`, `=v`) or a `__proto__` key makes the whole bag null. A repeated key keeps its
 * last value. The empty string is the empty bag. `plain` as for uriDecode.
 */
export function decodePropertyBag(s: string, plain?: boolean): PropertyBag | null {
  const o: PropertyBag = {}, ps = s ? s.split('&') : [];
  let i = 0, kv, k, v;
  for (; i < ps.length; i++) {
    kv = ps[i]!.split('=');
    k = uriDecode(kv[0]!, plain);
    v = kv.length > 1 ? uriDecode(kv.slice(1).join('='), plain) : null;
    if (!k || k == '__proto__' || (kv.length > 1 && v == null)) return null;
    o[k] = v;
  }
  return o;
}
