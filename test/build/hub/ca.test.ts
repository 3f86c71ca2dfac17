import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCerts, type HubCerts } from '../../../build/hub/ca.js';
import { startTestHub, tempDir } from './rig.js';

const tmp = tempDir();
let first: HubCerts;
beforeAll(async () => {
  first = await ensureCerts(tmp.dir);
});
afterAll(() => tmp.cleanup());

/** A TLS handshake from node:tls trusting `caPem` only, to a server presenting `certs`. */
async function handshake(certs: { cert: string; key: string }, caPem: string): Promise<boolean> {
  const server = createServer(certs, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await new Promise<boolean>((res) => {
      const c = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, ca: caPem, servername: 'localhost' }, () => {
        res(c.authorized);
        c.end();
      });
      c.on('error', () => res(false));
    });
  } finally {
    server.close();
  }
}

describe('ensureCerts', () => {
  it('makes an RSA CA and an RSA localhost server certificate signed by it, and keeps them', async () => {
    const ca = new X509Certificate(first.caPem);
    const server = new X509Certificate(first.cert);
    expect(ca.ca).toBe(true);
    expect(ca.publicKey.asymmetricKeyType).toBe('rsa');
    expect(server.publicKey.asymmetricKeyType).toBe('rsa');
    expect(server.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIP('::1')).toBe('::1');
    expect(readFileSync(first.caPath, 'utf8')).toBe(first.caPem);
    expect(statSync(`${tmp.dir}/ca.key`).mode & 0o777).toBe(0o600);
    expect(statSync(`${tmp.dir}/server.key`).mode & 0o777).toBe(0o600);
    expect(await handshake(first, first.caPem)).toBe(true);
    expect(await ensureCerts(tmp.dir)).toEqual(first);
  });

  it('remakes a missing server certificate with the same CA', async () => {
    rmSync(`${tmp.dir}/server.pem`);
    const b = await ensureCerts(tmp.dir);
    expect(b.caPem).toBe(first.caPem);
    expect(b.cert).not.toBe(first.cert);
    expect(new X509Certificate(b.cert).verify(new X509Certificate(first.caPem).publicKey)).toBe(true);
  });

  it('remakes a server certificate that the CA on disk did not sign', async () => {
    const other = tempDir();
    const foreign = await ensureCerts(other.dir);
    other.cleanup();
    writeFileSync(`${tmp.dir}/server.pem`, foreign.cert);
    const fixed = await ensureCerts(tmp.dir);
    expect(new X509Certificate(fixed.cert).verify(new X509Certificate(first.caPem).publicKey)).toBe(true);
  });
});

describe('a data folder made by an earlier version (EC P-256 CA and server certificate)', () => {
  // Exactly what build/hub/ca.ts made before it moved to RSA.
  async function legacyFolder(): Promise<{ dir: string; cleanup(): void; caPem: string }> {
    const t = tempDir();
    const keys = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;
    const now = Date.now();
    const ca = await generate([{ name: 'commonName', value: 'tinyiot local hub CA' }], {
      ...keys,
      notBeforeDate: new Date(now - 3_600_000),
      notAfterDate: new Date(now + 3650 * 86_400_000),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    });
    const s = await generate([{ name: 'commonName', value: 'localhost' }], {
      ...keys,
      notBeforeDate: new Date(now - 3_600_000),
      notAfterDate: new Date(now + 365 * 86_400_000),
      ca: { cert: ca.cert, key: ca.private },
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
    });
    writeFileSync(`${t.dir}/ca.pem`, ca.cert);
    writeFileSync(`${t.dir}/ca.key`, ca.private, { mode: 0o600 });
    writeFileSync(`${t.dir}/server.pem`, s.cert);
    writeFileSync(`${t.dir}/server.key`, s.private, { mode: 0o600 });
    return { ...t, caPem: ca.cert };
  }

  it('keeps the CA everything has pinned and remakes only the server certificate, with RSA, saying so once', async () => {
    const old = await legacyFolder();
    const lines: string[] = [];
    const c = await ensureCerts(old.dir, (l) => lines.push(l));
    expect(c.caPem).toBe(old.caPem);
    const server = new X509Certificate(c.cert);
    expect(server.publicKey.asymmetricKeyType).toBe('rsa');
    expect(server.verify(new X509Certificate(old.caPem).publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/was EC, which Espruino's mbedTLS cannot use .*made an RSA one signed by the same CA \(ca\.pem is unchanged\)/);
    // A client that pinned the old ca.pem still verifies the hub.
    expect(await handshake(c, old.caPem)).toBe(true);
    expect(await ensureCerts(old.dir, (l) => lines.push(l))).toEqual(c);
    expect(lines).toHaveLength(1);
    old.cleanup();
  });

  it('startHub gives that line to the first log listener, which can only attach after startHub', async () => {
    const old = await legacyFolder();
    const hub = await startTestHub(old.dir);
    try {
      const lines: string[] = [];
      hub.on('log', (l: string) => lines.push(l));
      await Promise.resolve();
      expect(lines).toEqual([expect.stringMatching(/^hub: the server certificate in .* was EC/)]);
      expect(new X509Certificate(readFileSync(`${old.dir}/server.pem`, 'utf8')).publicKey.asymmetricKeyType).toBe('rsa');
    } finally {
      await hub.stop();
      old.cleanup();
    }
  });
});
