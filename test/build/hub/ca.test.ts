import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { ensureCerts } from '../../../build/hub/ca.js';
import { tempDir } from './rig.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

it('makes a CA and a localhost server certificate signed by it, and keeps them', async () => {
  const a = await ensureCerts(tmp.dir);
  const ca = new X509Certificate(a.caPem);
  const server = new X509Certificate(a.cert);
  expect(ca.ca).toBe(true);
  expect(server.verify(ca.publicKey)).toBe(true);
  expect(server.checkHost('localhost')).toBe('localhost');
  expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
  expect(server.checkIP('::1')).toBe('::1');
  expect(readFileSync(a.caPath, 'utf8')).toBe(a.caPem);
  expect(statSync(`${tmp.dir}/ca.key`).mode & 0o777).toBe(0o600);
  const b = await ensureCerts(tmp.dir);
  expect(b).toEqual(a);
});

it('remakes a missing server certificate with the same CA', async () => {
  const a = await ensureCerts(tmp.dir);
  rmSync(`${tmp.dir}/server.pem`);
  const b = await ensureCerts(tmp.dir);
  expect(b.caPem).toBe(a.caPem);
  expect(b.cert).not.toBe(a.cert);
  expect(new X509Certificate(b.cert).verify(new X509Certificate(a.caPem).publicKey)).toBe(true);
});

it('remakes a server certificate that the CA on disk did not sign', async () => {
  const other = tempDir();
  const foreign = await ensureCerts(other.dir);
  const own = await ensureCerts(tmp.dir);
  writeFileSync(`${tmp.dir}/server.pem`, foreign.cert);
  const fixed = await ensureCerts(tmp.dir);
  expect(new X509Certificate(fixed.cert).verify(new X509Certificate(own.caPem).publicKey)).toBe(true);
  other.cleanup();
});
