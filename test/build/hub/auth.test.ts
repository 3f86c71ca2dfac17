import { randomBytes } from 'node:crypto';
import { SharedAccessSignature } from 'azure-iot-common';
import { describe, expect, it } from 'vitest';
import { authenticate, parseSas, parseUsername, type AuthRequest } from '../../../build/hub/auth.js';
import { deviceResourceUri, sasToken } from '../../../firmware/iothub/sas.js';
import { nodeCrypto } from '../../../hal/emulated/crypto.js';

const key = randomBytes(32).toString('base64');
const now = 1_800_000_000;
const tok = (uri = 'hub.local/devices/d1', k = key, se = now + 60) => sasToken(nodeCrypto(), uri, k, se);

function req(over: Partial<AuthRequest> & { token?: string } = {}): AuthRequest {
  return {
    hubName: 'hub.local',
    clientId: 'd1',
    username: 'hub.local/d1/?api-version=2021-04-12',
    password: Buffer.from(over.token ?? tok()),
    now,
    keyOf: (id) => (id === 'd1' ? key : undefined),
    ...over,
  };
}

describe('parseUsername / parseSas', () => {
  it('splits host, client id and parameters', () => {
    expect(parseUsername('h/d1/?api-version=2021-04-12&model-id=dtmi%3Ax%3B1')).toEqual({
      host: 'h',
      clientId: 'd1',
      params: { 'api-version': '2021-04-12', 'model-id': 'dtmi:x;1' },
    });
    expect(parseUsername('h/d1/m1/?api-version=1')!.clientId).toBe('d1/m1');
    for (const u of ['', 'h', 'h/d1', 'h/d1/', 'h//?api-version=1', '/d1/?api-version=1', 'h/d1/?model-id=x', 'h/d1/?%zz']) expect(parseUsername(u), u).toBeNull();
  });

  it('reads the fields of a token in any order', () => {
    expect(parseSas('SharedAccessSignature se=1&sr=a%2Fb&sig=x%3D&skn=p')).toEqual({ sr: 'a%2Fb', sig: 'x%3D', se: '1', skn: 'p' });
    for (const t of ['', 'sr=a&sig=b&se=1', 'SharedAccessSignature sr=a&sig=b', 'SharedAccessSignature sr=a&sig=b&se=1&junk']) expect(parseSas(t), t).toBeNull();
  });
});

describe('a polluted Object.prototype', () => {
  it('lends parseSas and parseUsername no field', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.skn = 'x';
    proto['api-version'] = '1';
    try {
      expect(parseSas('SharedAccessSignature sr=a&sig=b&se=1')).toEqual({ sr: 'a', sig: 'b', se: '1' });
      expect(parseUsername('h/d1/?model-id=x')).toBeNull();
      expect(authenticate(req())).toMatchObject({ ok: true });
    } finally {
      delete proto.skn;
      delete proto['api-version'];
    }
  });
});

describe('authenticate', () => {
  it('accepts a token made by the firmware and one made by azure-iot-common', () => {
    expect(authenticate(req())).toEqual({ ok: true, deviceId: 'd1', expiry: now + 60 });
    const sdk = SharedAccessSignature.create('hub.local/devices/d1', '', key, now + 90).toString();
    expect(authenticate(req({ token: sdk }))).toEqual({ ok: true, deviceId: 'd1', expiry: now + 90 });
  });

  it('accepts a differently cased hub name in the user name and the resource', () => {
    expect(authenticate(req({ username: 'HUB.local/d1/?api-version=1', token: tok('Hub.Local/devices/d1') })).ok).toBe(true);
  });

  it('answers 4 for what cannot be parsed', () => {
    const rc = (r: ReturnType<typeof authenticate>) => (r.ok ? 0 : r.rc);
    expect(rc(authenticate(req({ username: undefined })))).toBe(4);
    expect(rc(authenticate(req({ username: 'hub.local/d1' })))).toBe(4);
    expect(rc(authenticate(req({ password: undefined })))).toBe(4);
    expect(rc(authenticate(req({ token: 'secret' })))).toBe(4);
  });

  it('answers 5 for the wrong hub, device, key, resource, expiry or signature', () => {
    const cases: [string, Partial<AuthRequest> & { token?: string }][] = [
      ['other hub', { username: 'other/d1/?api-version=1' }],
      ['client id mismatch', { clientId: 'd2' }],
      ['module', { clientId: 'd1/m', username: 'hub.local/d1/m/?api-version=1' }],
      ['unknown device', { keyOf: () => undefined }],
      ['wrong key', { token: tok(undefined, randomBytes(32).toString('base64')) }],
      ['other device', { token: tok('hub.local/devices/d2') }],
      ['hub-level sr', { token: tok('hub.local') }],
      ['expired', { token: tok(undefined, key, now) }],
      ['policy', { token: sasToken(nodeCrypto(), deviceResourceUri('hub.local', 'd1'), key, now + 60, 'device') }],
      ['tampered se', { token: tok().replace(`se=${now + 60}`, `se=${now + 61}`) }],
      ['bad se', { token: tok().replace(`se=${now + 60}`, 'se=soon') }],
      ['bad sig', { token: tok().replace(/sig=[^&]+/, 'sig=%zz') }],
    ];
    for (const [name, over] of cases) {
      const r = authenticate(req(over));
      expect(r.ok, name).toBe(false);
      if (!r.ok) expect(r.rc, name).toBe(5);
      if (!r.ok) expect(r.reason, name).not.toContain(key);
    }
  });
});
