// The service API's credential, as IoT Hub's service API needs a shared access policy: a random
// key in the data folder (service.key, readable by its owner only) that the hub makes on its first
// run. A caller proves it can read that file by signing a short-lived SAS token with it, IoT Hub's
// policy token form: `SharedAccessSignature sr={hub}&sig=..&se=..&skn=service`. The key itself
// never crosses the socket and is never printed.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSas } from './auth.js';
import { FILE_MODE } from './files.js';

export const SERVICE_KEY_FILE = 'service.key';
export const SERVICE_POLICY = 'service';
/** A token the CLI makes lives this long: one request's worth, with room for a slow machine. */
const TOKEN_TTL_S = 300;

const keyPath = (dataDir: string) => join(dataDir, SERVICE_KEY_FILE);

/** The folder's service key, made on first use (base64 of 32 random bytes, file mode 0600). */
export function ensureServiceKey(dataDir: string): string {
  const p = keyPath(dataDir);
  if (!existsSync(p)) {
    try {
      // 'wx': of two processes creating it at once, one writes and the other reads that key.
      writeFileSync(p, randomBytes(32).toString('base64') + '\n', { mode: FILE_MODE, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  return readServiceKey(dataDir);
}

/** The service key; throws naming the file when it cannot be read (another user's hub, or none yet). */
export function readServiceKey(dataDir: string): string {
  let text: string;
  try {
    text = readFileSync(keyPath(dataDir), 'utf8');
  } catch (e) {
    throw new Error(`cannot read the hub's service key ${keyPath(dataDir)} (${(e as NodeJS.ErrnoException).code ?? 'error'}): run this as the user who runs the hub`);
  }
  const key = text.trim();
  if (!/^[A-Za-z0-9+/]{43}=$/.test(key)) throw new Error(`${keyPath(dataDir)} is not a service key (base64 of 32 bytes); delete it and restart the hub`);
  return key;
}

const sign = (key: string, sr: string, se: string) => createHmac('sha256', Buffer.from(key, 'base64')).update(`${sr}\n${se}`).digest();

/** The Authorization header value for a request to the hub named `hubName`. */
export function serviceToken(key: string, hubName: string, nowMs = Date.now()): string {
  const sr = encodeURIComponent(hubName.toLowerCase());
  const se = String(Math.floor(nowMs / 1000) + TOKEN_TTL_S);
  const sig = encodeURIComponent(sign(key, sr, se).toString('base64'));
  return `SharedAccessSignature sr=${sr}&sig=${sig}&se=${se}&skn=${SERVICE_POLICY}`;
}

/** Why `header` does not authorize a service request, or null when it does. Never quotes the token. */
export function serviceAuthError(header: string | undefined, key: string, hubName: string, nowMs = Date.now()): string | null {
  if (!header) return "missing Authorization: a SharedAccessSignature made with the hub's service key";
  const sas = parseSas(header);
  if (!sas) return 'Authorization is not a SharedAccessSignature token';
  if (sas.skn !== SERVICE_POLICY) return `the token must name the policy '${SERVICE_POLICY}' (skn)`;
  if (sas.sr !== encodeURIComponent(hubName.toLowerCase())) return 'the token is for another hub (sr)';
  if (!/^\d{1,12}$/.test(sas.se) || +sas.se <= Math.floor(nowMs / 1000)) return 'the token has expired';
  let got: Buffer;
  try {
    got = Buffer.from(decodeURIComponent(sas.sig), 'base64');
  } catch {
    return 'the token signature is not valid';
  }
  const want = sign(key, sas.sr, sas.se);
  return got.length === want.length && timingSafeEqual(got, want) ? null : 'the token signature does not match the service key';
}
