// The service API's credential: the key file, the tokens made from it, and why a token is refused.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { ensureServiceKey, readServiceKey, serviceAuthError, serviceToken } from '../../../build/hub/servicekey.js';
import { tempDir } from './rig.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const now = 1_800_000_000_000;

it('is made once, owner-only, and read back', () => {
  const key = ensureServiceKey(tmp.dir);
  expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  expect(statSync(`${tmp.dir}/service.key`).mode & 0o777).toBe(0o600);
  expect(ensureServiceKey(tmp.dir)).toBe(key);
  expect(readServiceKey(tmp.dir)).toBe(key);
});

it('says which file it could not read, and never prints the key', () => {
  const other = tempDir();
  expect(() => readServiceKey(other.dir)).toThrow(/cannot read the hub's service key .*service\.key \(ENOENT\)/);
  writeFileSync(`${other.dir}/service.key`, 'not a key');
  expect(() => readServiceKey(other.dir)).toThrow(/is not a service key/);
  other.cleanup();
});

it('accepts its own tokens and refuses every other', () => {
  const key = readFileSync(`${tmp.dir}/service.key`, 'utf8').trim();
  const tok = serviceToken(key, 'Hub.Local', now);
  expect(tok).toMatch(/^SharedAccessSignature sr=hub\.local&sig=[^&]+&se=\d+&skn=service$/);
  expect(serviceAuthError(tok, key, 'hub.local', now)).toBeNull();
  expect(serviceAuthError(undefined, key, 'hub.local', now)).toMatch(/missing Authorization/);
  expect(serviceAuthError('Bearer x', key, 'hub.local', now)).toMatch(/not a SharedAccessSignature/);
  expect(serviceAuthError(tok.replace('skn=service', 'skn=device'), key, 'hub.local', now)).toMatch(/policy 'service'/);
  expect(serviceAuthError(tok, key, 'other', now)).toMatch(/another hub/);
  expect(serviceAuthError(tok, key, 'hub.local', now + 301_000)).toMatch(/expired/);
  const otherKey = Buffer.alloc(32, 7).toString('base64');
  expect(serviceAuthError(tok, otherKey, 'hub.local', now)).toMatch(/does not match the service key/);
  expect(serviceAuthError(tok.replace(/sig=[^&]+/, 'sig=%zz'), key, 'hub.local', now)).toMatch(/signature/);
  for (const reason of [serviceAuthError(tok, otherKey, 'hub.local', now)!]) expect(reason).not.toContain(key);
});
