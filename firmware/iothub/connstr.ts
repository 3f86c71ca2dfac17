// IoT Hub device connection strings:
//   HostName=h;DeviceId=d;SharedAccessKey=base64[;SharedAccessKeyName=policy]
//   HostName=h;DeviceId=d;ModuleId=m;SharedAccessKey=base64
//   HostName=h;DeviceId=d;x509=true
//   ...;GatewayHostName=host[:port]   (connect there; HostName still names the hub in the token)
// Part names are case-sensitive, as in azure-iot-common. Error messages name the faulty part but
// never quote a value: with a `;` or `=` missing, the key ends up inside another value or name.
// Unknown names are quoted only when short and not glued to a known name for the same reason.
import { base64Decode } from '../crypto/base64.js';
import { escapeText, idError } from './ids.js';

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

// SharedAccessKeyName before SharedAccessKey: the prefix test below takes the first match.
const NAMES = ['HostName', 'DeviceId', 'ModuleId', 'SharedAccessKeyName', 'SharedAccessKey', 'GatewayHostName', 'x509'];

function bad(m: string): never {
  throw new Error('connection string: ' + m);
}

export function parseConnectionString(s: string): ConnectionString {
  if (typeof s != 'string' || !(s = s.trim())) bad('empty');
  const v: Record<string, string> = {};
  const ps = s.split(';');
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    if (!p) continue; // tolerate `;;` and a trailing `;`
    const e = p.indexOf('=');
    if (e < 1) bad('part ' + (i + 1) + ' is not name=value');
    const n = p.slice(0, e);
    if (NAMES.indexOf(n) < 0) {
      for (let j = 0; j < NAMES.length; j++) if (!n.indexOf(NAMES[j]!)) bad("missing '=' after " + NAMES[j]);
      bad('unknown part ' + (n.length > 20 ? i + 1 : "'" + escapeText(n) + "'"));
    }
    if (v.hasOwnProperty(n)) bad("duplicate '" + n + "'");
    if (e == p.length - 1) bad("empty '" + n + "'");
    v[n] = p.slice(e + 1);
  }
  const host = v.HostName;
  const dev = v.DeviceId;
  const mod = v.ModuleId;
  const key = v.SharedAccessKey;
  const x = v.x509;
  const gw = v.GatewayHostName;
  if (!host) return bad('missing HostName');
  const hc = /[^A-Za-z0-9.-]/.exec(host);
  if (hc) bad("HostName: character '" + escapeText(hc[0]) + "' is not allowed");
  if (!dev) return bad('missing DeviceId');
  const ie = idError('DeviceId', dev, true) || (mod && idError('ModuleId', mod, true));
  if (ie) bad(ie);
  if (x && x != 'true' && x != 'false') bad('x509 must be true or false');
  if (key) {
    if (x == 'true') bad('SharedAccessKey and x509=true exclude each other');
    try {
      base64Decode(key);
    } catch (err) {
      bad('SharedAccessKey is not valid base64');
    }
  } else if (x != 'true') bad('missing SharedAccessKey (or x509=true)');
  const r: ConnectionString = { hostName: host, deviceId: dev };
  if (mod) r.moduleId = mod;
  if (key) r.sharedAccessKey = key;
  if (v.SharedAccessKeyName) r.sharedAccessKeyName = v.SharedAccessKeyName;
  if (x == 'true') r.x509 = true;
  if (gw) {
    const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(gw);
    const port = m && m[3] ? +m[3] : 0;
    if (!m || port > 65535 || (m[3] && !port)) return bad('GatewayHostName is not host or host:port');
    r.gatewayHostName = m[1] || m[2];
    if (port) r.gatewayPort = port;
  }
  return r;
}
