// The hub's own certificate authority, made on first run and kept in the data folder, so devices
// and SDKs can pin ca.pem once. The server certificate (localhost, 127.0.0.1, ::1) is remade when
// it is missing, close to expiry, not signed by the CA on disk, or not RSA.
// RSA 2048 throughout, as Azure IoT Hub presents: Espruino's mbedTLS offers only the RSA and DHE-RSA
// key exchanges, so an EC server key fails its handshake (docs/tls.md). A data folder from an
// earlier version holds an EC P-256 CA and server certificate: the CA is kept (everything that
// pinned it keeps working, and mbedTLS parses an ECDSA-signed certificate without verifying it) and
// only the server certificate is remade with an RSA key, saying so in the log.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueCert, keyPem, newKeyPair } from './x509.js';

export interface HubCerts {
  caPem: string;
  caPath: string;
  cert: string;
  key: string;
}

const DAY = 86_400_000;
/** The names every hub certificate carries: the hub listens on loopback by default. */
export const SERVER_NAMES = ['localhost', '127.0.0.1', '::1'];

function validity(days: number): { notBefore: Date; notAfter: Date } {
  // Backdated an hour so a device whose clock is a little behind still accepts it.
  const now = Date.now();
  return { notBefore: new Date(now - 3_600_000), notAfter: new Date(now + days * DAY) };
}

/** Why the server certificate on disk must be remade, or '' when it can stay. */
function unusable(certPem: string | undefined, ca: X509Certificate): string {
  if (certPem === undefined) return 'missing';
  try {
    const c = new X509Certificate(certPem);
    if (!c.verify(ca.publicKey)) return 'not signed by ca.pem';
    if (Date.parse(c.validTo) - Date.now() <= DAY) return 'expiring';
    const kind = c.publicKey.asymmetricKeyType;
    if (kind !== 'rsa') return `${kind === 'ec' ? 'EC' : kind}, which Espruino's mbedTLS cannot use (it needs RSA)`;
    return '';
  } catch {
    return 'unreadable';
  }
}

/**
 * The CA and server certificate of the hub in `dataDir`, made or remade as needed.
 * `log` hears one line when a certificate made by an earlier version is replaced.
 */
export async function ensureCerts(dataDir: string, log: (line: string) => void = () => undefined): Promise<HubCerts> {
  mkdirSync(dataDir, { recursive: true });
  const p = (f: string) => join(dataDir, f);
  const caPath = p('ca.pem');
  const read = (f: string) => (existsSync(p(f)) ? readFileSync(p(f), 'utf8') : undefined);
  const newCa = !existsSync(caPath) || !existsSync(p('ca.key'));
  // Both RSA keys at once: each takes 0.1-0.5 s, on the thread pool.
  const keys = newCa ? await Promise.all([newKeyPair('rsa'), newKeyPair('rsa')]) : undefined;
  if (keys) {
    const [ca] = keys;
    const cert = issueCert({ commonName: 'tinyiot local hub CA', role: 'ca', ...validity(3650) }, ca.publicKey, { privateKey: ca.privateKey });
    writeFileSync(p('ca.key'), keyPem(ca.privateKey), { mode: 0o600 });
    writeFileSync(caPath, cert);
  }
  const caPem = readFileSync(caPath, 'utf8');
  const caKey = createPrivateKey(readFileSync(p('ca.key'), 'utf8'));
  const onDisk = read('server.key') === undefined ? undefined : read('server.pem');
  const why = unusable(onDisk, new X509Certificate(caPem));
  if (why) {
    const server = keys ? keys[1] : await newKeyPair('rsa');
    const cert = issueCert(
      { commonName: 'localhost', role: 'server', names: SERVER_NAMES, ...validity(365) },
      server.publicKey,
      { privateKey: caKey, cert: caPem },
    );
    writeFileSync(p('server.key'), keyPem(server.privateKey), { mode: 0o600 });
    writeFileSync(p('server.pem'), cert);
    if (why.startsWith('EC')) {
      log(`hub: the server certificate in ${dataDir} was ${why}; made an RSA one signed by the same CA (ca.pem is unchanged)`);
    }
  }
  return { caPem, caPath, cert: readFileSync(p('server.pem'), 'utf8'), key: readFileSync(p('server.key'), 'utf8') };
}
