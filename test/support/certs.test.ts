import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki, type Pki } from './certs.js';

let pki: Pki;
beforeAll(async () => {
  pki = await makePki();
});
afterAll(() => pki?.cleanup());

describe('makePki', () => {
  it('signs the server and client certificates with the CA, not with the other CA', () => {
    const ca = new X509Certificate(pki.ca.cert);
    const other = new X509Certificate(pki.otherCa.cert);
    expect(ca.ca).toBe(true);
    for (const leaf of [pki.server, pki.client]) {
      const x = new X509Certificate(leaf.cert);
      expect(x.ca).toBe(false);
      expect(x.checkIssued(ca)).toBe(true);
      expect(x.verify(ca.publicKey)).toBe(true);
      expect(x.verify(other.publicKey)).toBe(false);
    }
  });

  it('names localhost and the loopback addresses in the server certificate', () => {
    const x = new X509Certificate(pki.server.cert);
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x.checkHost('example.com')).toBeUndefined();
    expect(new X509Certificate(pki.client.cert).subject).toMatch(/CN=tinyiot-test-client/);
  });

  it('uses RSA 2048 keys, which Espruino\'s mbedTLS can use', () => {
    for (const pem of [pki.ca, pki.server, pki.client, pki.otherCa]) {
      const k = new X509Certificate(pem.cert).publicKey;
      expect(k.asymmetricKeyType).toBe('rsa');
      expect(k.asymmetricKeyDetails?.modulusLength).toBe(2048);
    }
  });

  it('writes the PEM files it returns and removes them on cleanup', async () => {
    expect(readFileSync(pki.server.keyPath, 'utf8')).toBe(pki.server.key);
    expect(readFileSync(pki.ca.certPath, 'utf8')).toBe(pki.ca.cert);
    const extra = await makePki();
    expect(extra.dir).not.toBe(pki.dir);
    expect(extra.server.cert).toBe(pki.server.cert); // made once per process
    extra.cleanup();
    expect(existsSync(extra.dir)).toBe(false);
  });
});
