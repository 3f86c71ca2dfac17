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

// The part names; each lands in the result under its name with a lower-case initial (HostName ->
// hostName). SharedAccessKeyName before SharedAccessKey: the longer name must match first.
const NAMES = /^(SharedAccessKeyName|SharedAccessKey|HostName|DeviceId|ModuleId|GatewayHostName|x509)/;

/** The key as bytes, or undefined when it is not base64. */
export function isBase64(k: string): Uint8Array | undefined {
  try {
    return base64Decode(k);
  } catch (e) {}
}

function bad(m: string): never {
  throw new Error('connection string: ' + m);
}

// "[v6]:port" or "host:port" (port optional; its range is checked below) as [host, port or ''], by hand:
// Espruino's RegExp has no (?:), {m,n} or working ?, and no [ inside a class.
function gatewayParts(g: string): any {
  const b = +(g[0] == '['), k = b ? g.indexOf(']') : (g + ':').indexOf(':'), t = g.slice(k + b);
  return k > b && (b || !/\[|\]/.test(g)) && (!t || /^:\d+$/.test(t)) && [g.slice(b, k), t && +t.slice(1)];
}

export function parseConnectionString(s: string): ConnectionString {
  const r: any = {}, t = (s || '').trim(), ps = t ? t.split(';') : bad('empty');
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!, e = p.indexOf('='), n = p.slice(0, e);
    if (!p) continue; // tolerate `;;` and a trailing `;`
    if (e < 1) bad('part ' + (i + 1) + ' is not name=value');
    const kn = NAMES.exec(n);
    // A name that only starts with a known one lost its `=`: the rest is the value (the key?).
    if (!kn || kn[0] != n) bad(kn ? "missing '=' after " + kn[0] : 'unknown part ' + (n.length > 20 ? i + 1 : "'" + escapeText(n) + "'"));
    const f = n[0]!.toLowerCase() + n.slice(1);
    if (r[f]) bad("duplicate '" + n + "'");
    if (!(r[f] = p.slice(e + 1))) bad("empty '" + n + "'");
  }
  const { hostName: h, deviceId: d, moduleId: m, sharedAccessKey: k, x509: x, gatewayHostName: g } = r;
  const x5 = x == 'true', a = g && gatewayParts(g), port = a && a[1];
  const e = !h ? 'missing HostName' : charError('HostName', h, /[^\w.-]|_/, 1)
    || (!d ? 'missing DeviceId' : idError('DeviceId', d, 1) || (m && idError('ModuleId', m, 1)))
    || (x && !x5 && x != 'false' ? 'x509 must be true or false'
      : !k == !x5 ? (k ? 'SharedAccessKey and x509=true exclude each other' : 'missing SharedAccessKey (or x509=true)')
      : k && !isBase64(k) ? 'SharedAccessKey is not valid base64'
      : g && (!a || port > 65535 || port === 0) && 'GatewayHostName is not host or host:port');
  if (e) bad(e);
  x5 ? (r.x509 = true) : delete r.x509;
  if (a) r.gatewayHostName = a[0];
  if (port) r.gatewayPort = port;
  return r;
}
