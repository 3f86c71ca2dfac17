// IoT Hub device connection strings:
//   HostName=h;DeviceId=d;SharedAccessKey=base64[;SharedAccessKeyName=policy]
//   HostName=h;DeviceId=d;ModuleId=m;SharedAccessKey=base64
//   HostName=h;DeviceId=d;x509=true
//   ...;GatewayHostName=host[:port]   (connect there; HostName still names the hub in the token)
// Part names are case-sensitive, as in azure-iot-common. Error messages name the faulty part but
// never quote a value: with a `;` or `=` missing, the key ends up inside another value or name.
// Unknown names are quoted only when short and not glued to a known name for the same reason.
import { base64Decode } from '../crypto/base64.js';
import { charError, escapeText, idError } from './ids.js';

export interface ConnectionString {
  hostName: string;
  deviceId: string;
  moduleId?: string;
  sharedAccessKey?: string;
  sharedAccessKeyName?: string;
  /** Host to connect to instead of hostName (brackets of an IPv6 literal removed). */
  gatewayHostName?: string;
  /** Port given with GatewayHostName, if any. */
  gatewayPort?: number;
  x509?: boolean;
}

/** The key as bytes, or undefined when it is not base64. */
export function isBase64(k: string): Uint8Array | undefined {
  try {
    return base64Decode(k);
  } catch (e) {}
}

function bad(m: string): never {
  throw new Error('connection string: ' + m);
}

/**
 * GatewayHostName as [host, port]: host, host:port, [IPv6] or [IPv6]:port (brackets removed), the
 * port 1-65535, or 0 when there is none; null for anything else. Cut with split(), not a regular
 * expression (Espruino's have no (?:) nor {m,n}, and throw on a class like [^:[\]]), and sliced
 * only after an ASCII `[` or `:` (slice() counts bytes in Espruino's UTF-8 strings).
 */
export function gateway(g: string): [string, number] | null {
  const v6 = g.charAt(0) == '[', a = g.split(v6 ? ']' : ':'), h = v6 ? a[0]!.slice(1) : a[0]!;
  // Nothing or `:port` after the host.
  let p = v6 ? a[1] : a.length > 1 ? ':' + a[1] : '';
  if (a.length > 2 || !h || p == null || (!v6 && h.indexOf('[') + h.indexOf(']') > -2)) return null;
  if (!p) return [h, 0];
  const n = p.charAt(0) == ':' && /^\d+$/.test((p = p.slice(1))) && p.length < 6 ? +p : 0;
  return n > 0 && n < 65536 ? [h, n] : null;
}

export function parseConnectionString(s: string): ConnectionString {
  // The part names; each lands in the result under its name with a lower-case initial (HostName ->
  // hostName), made from this list: on Espruino a name cut from a string with text beyond ASCII is
  // marked UTF-8, and a property keyed by it is not found by `r.hostName`. SharedAccessKeyName
  // before SharedAccessKey: the longer name must match first. Made here, not kept in a module
  // constant, which on a board would hold the list in RAM for good.
  const NAMES = ['SharedAccessKeyName', 'SharedAccessKey', 'HostName', 'DeviceId', 'ModuleId', 'GatewayHostName', 'x509'];
  const r: any = {}, t = (s || '').trim(), ps = t ? t.split(';') : bad('empty');
  for (let i = 0; i < ps.length; i++) {
    // split, not indexOf and slice: slice() counts bytes in Espruino's UTF-8 strings.
    const p = ps[i]!, kv = p.split('='), n = kv[0]!;
    if (!p) continue; // tolerate `;;` and a trailing `;`
    if (kv.length < 2 || !n) bad('part ' + (i + 1) + ' is not name=value');
    let j = 0;
    while (j < NAMES.length && n.indexOf(NAMES[j]!)) j++;
    const kn = NAMES[j];
    // A name that only starts with a known one lost its `=`: the rest is the value (the key?).
    if (kn != n) bad(kn ? "missing '=' after " + kn : 'unknown part ' + (n.length > 20 ? i + 1 : "'" + escapeText(n) + "'"));
    const f = kn!.charAt(0).toLowerCase() + kn!.slice(1);
    if (r[f]) bad("duplicate '" + n + "'");
    if (!(r[f] = kv.slice(1).join('='))) bad("empty '" + n + "'");
  }
  const { hostName: h, deviceId: d, moduleId: m, sharedAccessKey: k, x509: x, gatewayHostName: g } = r;
  const x5 = x == 'true', a = g && gateway(g);
  const e = !h ? 'missing HostName' : charError('HostName', h, /[^\w.-]|_/, 1)
    || (!d ? 'missing DeviceId' : idError('DeviceId', d, 1) || (m && idError('ModuleId', m, 1)))
    || (x && !x5 && x != 'false' ? 'x509 must be true or false'
      : !k == !x5 ? (k ? 'SharedAccessKey and x509=true exclude each other' : 'missing SharedAccessKey (or x509=true)')
      : k && !isBase64(k) ? 'SharedAccessKey is not valid base64'
      : g && !a && 'GatewayHostName is not host or host:port');
  if (e) bad(e);
  x5 ? (r.x509 = true) : delete r.x509;
  if (a) r.gatewayHostName = a[0];
  if (a && a[1]) r.gatewayPort = a[1];
  return r;
}
