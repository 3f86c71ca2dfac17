// CONNECT checks, as IoT Hub makes them for SAS-authenticated devices:
//   ClientId = deviceId, Username = `{hub}/{deviceId}/?api-version=...[&...]`,
//   Password = `SharedAccessSignature sr=..&sig=..&se=..` signed with the device's key.
// What cannot be parsed is refused with CONNACK 4 (bad user name or password); a well-formed
// request that names the wrong hub or device, or carries an expired or badly signed token, with 5
// (not authorized). Reasons are for the hub's log and never quote the token.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodePropertyBag } from '../../firmware/iothub/propbag.js';

export type AuthResult = { ok: true; deviceId: string; expiry: number } | { ok: false; rc: 4 | 5; reason: string };

export interface AuthRequest {
  hubName: string;
  clientId: string;
  username?: string;
  password?: Buffer;
  /** Epoch seconds. */
  now: number;
  /** The device's primary key (base64), or undefined for an unknown device. */
  keyOf(deviceId: string): string | undefined;
}

export interface Sas {
  /** As sent (URL-encoded): the signature covers these exact characters. */
  sr: string;
  sig: string;
  se: string;
  skn?: string;
}

/** `{host}/{clientId}/?{params}`, or null when the form or the api-version is missing. */
export function parseUsername(u: string): { host: string; clientId: string; params: Record<string, string | null> } | null {
  const slash = u.indexOf('/');
  const q = u.indexOf('/?', slash + 1);
  if (slash < 1 || q <= slash + 1) return null;
  const params = decodePropertyBag(u.slice(q + 2));
  // Own properties only: a name read through a prototype would come from somewhere else.
  if (!params || !Object.hasOwn(params, 'api-version') || !params['api-version']) return null;
  return { host: u.slice(0, slash), clientId: u.slice(slash + 1, q), params };
}

export function parseSas(token: string): Sas | null {
  const m = /^SharedAccessSignature (.+)$/.exec(token);
  if (!m) return null;
  // A Map, not an object: a field the token lacks must read as missing, never as something inherited.
  const f = new Map<string, string>();
  for (const part of m[1]!.split('&')) {
    const e = part.indexOf('=');
    if (e < 1) return null;
    f.set(part.slice(0, e), part.slice(e + 1));
  }
  const [sr, sig, se, skn] = ['sr', 'sig', 'se', 'skn'].map((k) => f.get(k));
  if (!sr || !sig || !se) return null;
  // No prototype: a reader of a missing `skn` gets undefined, never an inherited value.
  const sas: Sas = Object.assign(Object.create(null) as Sas, { sr, sig, se });
  if (skn !== undefined) sas.skn = skn;
  return sas;
}

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

const no = (rc: 4 | 5, reason: string): AuthResult => ({ ok: false, rc, reason });

export function authenticate(r: AuthRequest): AuthResult {
  const u = r.username === undefined ? null : parseUsername(r.username);
  if (!u) return no(4, 'user name is not {hub}/{deviceId}/?api-version=...');
  const sas = r.password === undefined ? null : parseSas(r.password.toString('utf8'));
  if (!sas) return no(4, 'password is not a SharedAccessSignature token');
  if (u.host.toLowerCase() !== r.hubName.toLowerCase()) return no(5, `user name names hub '${u.host}', this is '${r.hubName}'`);
  if (u.clientId !== r.clientId) return no(5, 'client id and user name name different devices');
  if (r.clientId.includes('/')) return no(5, 'module identities are not supported by the local hub');
  const deviceId = r.clientId;
  const key = r.keyOf(deviceId);
  if (key === undefined) return no(5, `unknown device '${deviceId}'`);
  if (sas.skn !== undefined) return no(5, 'shared access policy tokens are not supported, use the device key');
  const sr = decode(sas.sr);
  if (sr === null || sr.toLowerCase() !== `${r.hubName}/devices/${deviceId}`.toLowerCase()) return no(5, 'token resource (sr) is not this device');
  if (!/^\d{1,12}$/.test(sas.se)) return no(5, 'token expiry (se) is not a number');
  const expiry = +sas.se;
  if (expiry <= r.now) return no(5, 'token expired');
  const sig = decode(sas.sig);
  const want = createHmac('sha256', Buffer.from(key, 'base64')).update(`${sas.sr}\n${sas.se}`).digest();
  const got = sig === null ? Buffer.alloc(0) : Buffer.from(sig, 'base64');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return no(5, 'token signature does not match the device key');
  return { ok: true, deviceId, expiry };
}
