// Test PKI made at test time: a CA, a server certificate for localhost/127.0.0.1 signed by it, a
// client certificate signed by it, and a second, unrelated CA for the "wrong CA" cases. EC P-256
// keys keep generation fast. Nothing is checked in; files go to a fresh temp dir.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface Pem {
  cert: string;
  key: string;
  certPath: string;
  keyPath: string;
}

export interface Pki {
  dir: string;
  ca: Pem;
  server: Pem;
  client: Pem;
  /** A CA that signed none of the above. */
  otherCa: Pem;
  cleanup(): void;
}

const base = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;

function validity(): { notBeforeDate: Date; notAfterDate: Date } {
  // Backdated a little so a clock a few seconds behind (a container, a VM) still accepts it.
  const now = Date.now();
  return { notBeforeDate: new Date(now - 3_600_000), notAfterDate: new Date(now + 7 * 86_400_000) };
}

async function makeCa(cn: string) {
  return generate([{ name: 'commonName', value: cn }], {
    ...base,
    ...validity(),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
}

async function makeLeaf(cn: string, ca: { cert: string; key: string }, server: boolean) {
  return generate([{ name: 'commonName', value: cn }], {
    ...base,
    ...validity(),
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: server, clientAuth: !server },
      ...(server
        ? [
            {
              name: 'subjectAltName' as const,
              altNames: [
                { type: 2 as const, value: 'localhost' },
                { type: 7 as const, ip: '127.0.0.1' },
                { type: 7 as const, ip: '::1' },
              ],
            },
          ]
        : []),
    ],
  });
}

export async function makePki(): Promise<Pki> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyiot-pki-'));
  const save = (name: string, r: { cert: string; private: string }): Pem => {
    const certPath = join(dir, `${name}.crt`);
    const keyPath = join(dir, `${name}.key`);
    writeFileSync(certPath, r.cert);
    writeFileSync(keyPath, r.private, { mode: 0o600 });
    return { cert: r.cert, key: r.private, certPath, keyPath };
  };
  const ca = await makeCa('tinyiot test CA');
  const other = await makeCa('tinyiot unrelated CA');
  const signer = { cert: ca.cert, key: ca.private };
  const server = await makeLeaf('localhost', signer, true);
  const client = await makeLeaf('tinyiot-test-client', signer, false);
  return {
    dir,
    ca: save('ca', ca),
    otherCa: save('other-ca', other),
    server: save('server', server),
    client: save('client', client),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
