// The hub's own certificate authority, made on first run and kept in the data folder, so devices
// and SDKs can pin ca.pem once. The server certificate (localhost, 127.0.0.1, ::1) is remade when
// it is missing, close to expiry, or not signed by the CA on disk. EC P-256: generation takes
// milliseconds.
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface HubCerts {
  caPem: string;
  caPath: string;
  cert: string;
  key: string;
}

const keys = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;
const DAY = 86_400_000;

function validity(days: number): { notBeforeDate: Date; notAfterDate: Date } {
  // Backdated an hour so a device whose clock is a little behind still accepts it.
  const now = Date.now();
  return { notBeforeDate: new Date(now - 3_600_000), notAfterDate: new Date(now + days * DAY) };
}

function usable(certPem: string, ca: X509Certificate): boolean {
  try {
    const c = new X509Certificate(certPem);
    return c.verify(ca.publicKey) && Date.parse(c.validTo) - Date.now() > DAY;
  } catch {
    return false;
  }
}

export async function ensureCerts(dataDir: string): Promise<HubCerts> {
  mkdirSync(dataDir, { recursive: true });
  const p = (f: string) => join(dataDir, f);
  const caPath = p('ca.pem');
  if (!existsSync(caPath) || !existsSync(p('ca.key'))) {
    const ca = await generate([{ name: 'commonName', value: 'tinyiot local hub CA' }], {
      ...keys,
      ...validity(3650),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    });
    writeFileSync(p('ca.key'), ca.private, { mode: 0o600 });
    writeFileSync(caPath, ca.cert);
  }
  const caPem = readFileSync(caPath, 'utf8');
  const caKey = readFileSync(p('ca.key'), 'utf8');
  const have = existsSync(p('server.pem')) && existsSync(p('server.key'));
  if (!have || !usable(readFileSync(p('server.pem'), 'utf8'), new X509Certificate(caPem))) {
    const s = await generate([{ name: 'commonName', value: 'localhost' }], {
      ...keys,
      ...validity(365),
      ca: { cert: caPem, key: caKey },
      extensions: [
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    });
    writeFileSync(p('server.key'), s.private, { mode: 0o600 });
    writeFileSync(p('server.pem'), s.cert);
  }
  return { caPem, caPath, cert: readFileSync(p('server.pem'), 'utf8'), key: readFileSync(p('server.key'), 'utf8') };
}
