// Test PKI made at test time: a CA, a server certificate for localhost/127.0.0.1 signed by it, a
// client certificate signed by it, and a second, unrelated CA for the "wrong CA" cases. RSA 2048,
// as Azure IoT Hub presents and Espruino's mbedTLS requires (it has no ECDSA key exchange). The
// keys are made once per test process; each makePki() writes them to a fresh temp dir. Nothing is
// checked in.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCert, keyPem, type KeyPair, newKeyPair } from '../../build/hub/x509.js';

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

const HOUR = 3_600_000;

/** Backdated an hour so a clock a little behind (a container, a VM) still accepts them; a week long. */
function validity(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - HOUR), notAfter: new Date(now + 7 * 24 * HOUR) };
}

interface Made {
  ca: { cert: string; key: string };
  otherCa: { cert: string; key: string };
  server: { cert: string; key: string };
  client: { cert: string; key: string };
}

let made: Promise<Made> | undefined;

/** The certificates themselves, made once per test process: four RSA keys take about a second. */
function material(): Promise<Made> {
  made ??= (async () => {
    const [ca, other, server, client] = await Promise.all([newKeyPair('rsa'), newKeyPair('rsa'), newKeyPair('rsa'), newKeyPair('rsa')]);
    const v = validity();
    const caCert = issueCert({ commonName: 'tinyiot test CA', role: 'ca', ...v }, ca.publicKey, { privateKey: ca.privateKey });
    const signer = { privateKey: ca.privateKey, cert: caCert };
    const pem = (cert: string, k: KeyPair) => ({ cert, key: keyPem(k.privateKey) });
    return {
      ca: pem(caCert, ca),
      otherCa: pem(issueCert({ commonName: 'tinyiot unrelated CA', role: 'ca', ...v }, other.publicKey, { privateKey: other.privateKey }), other),
      server: pem(issueCert({ commonName: 'localhost', role: 'server', names: ['localhost', '127.0.0.1', '::1'], ...v }, server.publicKey, signer), server),
      client: pem(issueCert({ commonName: 'tinyiot-test-client', role: 'client', ...v }, client.publicKey, signer), client),
    };
  })();
  return made;
}

export async function makePki(): Promise<Pki> {
  const m = await material();
  const dir = mkdtempSync(join(tmpdir(), 'tinyiot-pki-'));
  const save = (name: string, r: { cert: string; key: string }): Pem => {
    const certPath = join(dir, `${name}.crt`);
    const keyPath = join(dir, `${name}.key`);
    writeFileSync(certPath, r.cert);
    writeFileSync(keyPath, r.key, { mode: 0o600 });
    return { cert: r.cert, key: r.key, certPath, keyPath };
  };
  return {
    dir,
    ca: save('ca', m.ca),
    otherCa: save('other-ca', m.otherCa),
    server: save('server', m.server),
    client: save('client', m.client),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
