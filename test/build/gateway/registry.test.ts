// The gateway's device registry: a secret matched only by its hash, a connection string checked
// for the same device, bad ids and duplicates refused by name, removal taking the secret file too.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { GatewayRegistry } from '../../../build/gateway/registry.js';

const KEY = Buffer.alloc(32, 1).toString('base64');
const cs = (id: string) => `HostName=hub.example;DeviceId=${id};SharedAccessKey=${KEY}`;
let dir: string;
let reg: GatewayRegistry;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tinyiot-gwreg-'));
  reg = new GatewayRegistry(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('matches the secret written to the file, and nothing else', () => {
  const { device, secretPath } = reg.add('s1', { connectionString: cs('s1') });
  const secret = readFileSync(secretPath, 'utf8').trim();
  expect(reg.secretMatches(device, secret)).toBe(true);
  expect(reg.secretMatches(device, secret + 'x')).toBe(false);
  expect(reg.secretMatches(device, '')).toBe(false);
  expect(readFileSync(reg.path, 'utf8')).not.toContain(secret);
});

it('refuses what cannot work, naming it', () => {
  expect(() => reg.add('s2', { connectionString: cs('other') })).toThrow(/connection string is for 'other'/);
  expect(() => reg.add('s2', {})).toThrow(/either its connection string or passthrough/);
  expect(() => reg.add('s2', { passthrough: true, connectionString: cs('s2') })).toThrow(/not both/);
  expect(() => reg.add('bad id!', { passthrough: true })).toThrow(/device id/);
  expect(() => reg.add('s2', { passthrough: true, profile: 'odd' as never })).toThrow(/unknown profile 'odd'/);
  expect(() => reg.add('s2', { connectionString: 'HostName=h;DeviceId=s2' })).toThrow(/connection string/);
  reg.add('s2', { passthrough: true });
  expect(() => reg.add('s2', { passthrough: true })).toThrow(/already exists/);
});

it('forgets a device and its secret file', () => {
  const { secretPath } = reg.add('s3', { passthrough: true, profile: 'transparent' });
  expect(reg.get('s3')).toMatchObject({ profile: 'transparent', passthrough: true });
  expect(reg.remove('s3')).toBe(true);
  expect(existsSync(secretPath)).toBe(false);
  expect(reg.remove('s3')).toBe(false);
  expect(reg.get('s3')).toBeUndefined();
});
