import { execFileSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeyPair, issueCert, keyPem, newKeyPair, subjectOf } from '../../../build/hub/x509.js';
import { requireBinary } from '../../support/binary.js';

const HOUR = 3_600_000;
const at = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
const validity = { notBefore: at(Date.now() - HOUR), notAfter: at(Date.now() + 30 * 24 * HOUR) };

let rsaCa: KeyPair, ecCa: KeyPair, rsa: KeyPair;
let caCert: string, ecCaCert: string, server: string;
beforeAll(async () => {
  [rsaCa, ecCa, rsa] = await Promise.all([newKeyPair('rsa'), newKeyPair('ec'), newKeyPair('rsa')]);
  caCert = issueCert({ commonName: 'test CA', role: 'ca', ...validity }, rsaCa.publicKey, { privateKey: rsaCa.privateKey });
  ecCaCert = issueCert({ commonName: 'EC CA', role: 'ca', ...validity }, ecCa.publicKey, { privateKey: ecCa.privateKey });
  server = issueCert({ commonName: 'localhost', role: 'server', names: ['localhost', '127.0.0.1', '::1', 'fe80::1:2'], ...validity }, rsa.publicKey, {
    privateKey: rsaCa.privateKey,
    cert: caCert,
  });
});

describe('issueCert', () => {
  it('makes a self-signed CA that node:crypto reads back as written', () => {
    const ca = new X509Certificate(caCert);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toBe('CN=test CA');
    expect(ca.issuer).toBe('CN=test CA');
    expect(ca.verify(rsaCa.publicKey)).toBe(true);
    expect(new Date(ca.validFrom).getTime()).toBe(validity.notBefore.getTime());
    expect(new Date(ca.validTo).getTime()).toBe(validity.notAfter.getTime());
    expect(ca.publicKey.asymmetricKeyType).toBe('rsa');
    expect(ca.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/); // 16 bytes, positive
  });

  it('makes a server certificate signed by the CA, for its DNS names and IP addresses', () => {
    const s = new X509Certificate(server);
    expect(s.ca).toBe(false);
    expect(s.issuer).toBe('CN=test CA');
    expect(s.checkIssued(new X509Certificate(caCert))).toBe(true);
    expect(s.verify(rsaCa.publicKey)).toBe(true);
    expect(s.checkHost('localhost')).toBe('localhost');
    expect(s.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(s.checkIP('::1')).toBe('::1');
    expect(s.checkIP('fe80::1:2')).toBe('fe80::1:2');
    expect(s.checkHost('example.com')).toBeUndefined();
    expect(s.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // extended key usage: serverAuth
  });

  it('signs an RSA certificate with an EC CA (ECDSA) and an EC one with an RSA CA', () => {
    const leaf = issueCert({ commonName: 'localhost', role: 'server', names: ['localhost'], ...validity }, rsa.publicKey, { privateKey: ecCa.privateKey, cert: ecCaCert });
    const x = new X509Certificate(leaf);
    expect(x.publicKey.asymmetricKeyType).toBe('rsa');
    expect(x.verify(ecCa.publicKey)).toBe(true);
    expect(x.verify(rsaCa.publicKey)).toBe(false);
    const ec = issueCert({ commonName: 'client', role: 'client', ...validity }, ecCa.publicKey, { privateKey: rsaCa.privateKey, cert: caCert });
    expect(new X509Certificate(ec).verify(rsaCa.publicKey)).toBe(true);
    expect(new X509Certificate(ec).keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // clientAuth
  });

  it('writes GeneralizedTime from 2050 on (RFC 5280)', () => {
    const notAfter = new Date(Date.UTC(2051, 5, 1, 12, 0, 0));
    const x = new X509Certificate(issueCert({ commonName: 'long', role: 'ca', notBefore: validity.notBefore, notAfter }, rsaCa.publicKey, { privateKey: rsaCa.privateKey }));
    expect(new Date(x.validTo).getTime()).toBe(notAfter.getTime());
  });

  it('copies the issuer name and key identifier from the CA certificate', () => {
    const ca = subjectOf(caCert);
    expect(ca.keyId).toHaveLength(20);
    const s = subjectOf(server);
    expect(s.keyId).toHaveLength(20);
    expect(s.keyId!.equals(ca.keyId!)).toBe(false);
    // The server certificate's DER holds the CA's subject bytes as its issuer.
    expect(Buffer.from(new X509Certificate(server).raw).includes(ca.name)).toBe(true);
  });

  it('refuses a key it cannot sign with and an empty validity', () => {
    const ed = generateKeyPairSync('ed25519');
    expect(() => issueCert({ commonName: 'x', role: 'ca', ...validity }, ed.publicKey, { privateKey: ed.privateKey })).toThrow(/cannot sign with a ed25519 key/);
    const backwards = { notBefore: validity.notAfter, notAfter: validity.notBefore };
    expect(() => issueCert({ commonName: 'x', role: 'ca', ...backwards }, rsa.publicKey, { privateKey: rsa.privateKey })).toThrow(/notAfter must be after notBefore/);
  });

  it('writes PKCS#8 private keys', () => {
    expect(keyPem(rsa.privateKey)).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/);
  });
});

// A second, independent parser: OpenSSL in its strict X.509 mode (RFC 5280 rules such as the key
// identifiers and the encoding of names and times).
const openssl = requireBinary('openssl');
describe.skipIf(openssl.missing)('OpenSSL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tinyiot-x509-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies the chain with -x509_strict', () => {
    writeFileSync(join(dir, 'ca.pem'), caCert);
    writeFileSync(join(dir, 'server.pem'), server);
    const out = execFileSync(openssl.path!, ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', join(dir, 'ca.pem'), join(dir, 'server.pem')], { encoding: 'utf8' });
    expect(out.trim()).toBe(`${join(dir, 'server.pem')}: OK`);
  });
});
