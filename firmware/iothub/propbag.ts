// Property bags: the `k=v&k2=v2` tail of telemetry and cloud-to-device topics.
//
// Encoding is encodeURIComponent on keys and values, which is what azure-iot-device-mqtt does for
// message properties (system properties go through querystring.stringify, same character set):
// `$` becomes %24, `/` %2F, space %20, and `+` / `#` are escaped, as they must be, since MQTT
// forbids wildcards in a PUBLISH topic name. Decoding is decodeURIComponent, as the SDK's C2D
// handler does: `+` stays a plus, never a space. The hub itself writes spaces as %20
// (e.g. `%24.ct=text%2Fplain%3B%20charset%3DUTF-8`). A key without `=` has a null value, `k=` an
// empty one (the hub's mapping of AMQP null / "" properties).

export type PropertyBag = Record<string, string | null>;

/**
 * Keys with an undefined value are left out; no bag at all is the empty one. Throws on an empty
 * key or `__proto__` (neither can round-trip) and, through encodeURIComponent, on lone surrogates.
 */
export function encodePropertyBag(props?: Record<string, string | null | undefined>): string {
  let s = '';
  // for-in over undefined runs no iteration, so a missing bag needs no test.
  for (const k in props) {
    const v = props[k];
    if (v === undefined) continue;
    if (!k || k == '__proto__') throw new Error("property bag: key '" + k + "' is not allowed");
    s += (s && '&') + encodeURIComponent(k) + (v === null ? '' : '=' + encodeURIComponent(v));
  }
  return s;
}

/**
 * Exact inverse of encodePropertyBag. Wire input never throws: a bad %-escape, an empty key
 * (`a&&b`, `=v`) or a `__proto__` key makes the whole bag null, and so does invalid UTF-8 where
 * the engine's decodeURIComponent checks it (V8, QuickJS, duktape; mujs lets it through).
 * A repeated key keeps its last value. The empty string is the empty bag.
 */
export function decodePropertyBag(s: string): PropertyBag | null {
  const o: PropertyBag = {};
  try {
    for (const p of s ? s.split('&') : []) {
      const e = p.indexOf('='), k = decodeURIComponent(e < 0 ? p : p.slice(0, e));
      if (!k || k == '__proto__') return null;
      o[k] = e < 0 ? null : decodeURIComponent(p.slice(e + 1));
    }
    return o;
  } catch (x) {
    return null;
  }
}
