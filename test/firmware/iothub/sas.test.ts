import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Crypto } from '../../../hal/types.js';
import { jsCrypto } from '../../../firmware/crypto/index.js';
import { deviceResourceUri, dpsResourceUri, sas, sasToken, strictEncode } from '../../../firmware/iothub/sas.js';

// The golden reference: azure-iot-common 1.13, called the way azure-iot-device's
// SharedAccessKeyAuthenticationProvider calls it (resource URI strict-encoded first).
const common = createRequire(import.meta.url)('azure-iot-common') as {
  SharedAccessSignature: { create(sr: string, keyName: string | null, key: string, expiry: number): { toString(): string } };
  encodeUriComponentStrict(s: string): string;
};
const golden = (uri: string, key: string, expiry: number, policy?: string): string =>
  common.SharedAccessSignature.create(common.encodeUriComponentStrict(uri), policy ?? null, key, expiry).toString();

const nodeCrypto: Crypto = { hmacSha256: (k, m) => new Uint8Array(createHmac('sha256', k).update(m).digest()) };
const cryptos: [string, Crypto][] = [
  ['jsCrypto()', jsCrypto()],
  ['node:crypto', nodeCrypto],
];
const KEY = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
const HOST = 'my-hub.azure-devices.net';

describe('strictEncode', () => {
  it("is azure-iot-common's encodeUriComponentStrict, lower-case %2a included", () => {
    expect(strictEncode("a!b'c(d)e*f g/h")).toBe("a%21b%27c%28d%29e%2af%20g%2Fh");
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (s) => strictEncode(s) === common.encodeUriComponentStrict(s)), { numRuns: 500 });
  });
});

describe('resource URIs', () => {
  it('device, module and DPS registration', () => {
    expect(deviceResourceUri(HOST, 'd1')).toBe(`${HOST}/devices/d1`);
    expect(deviceResourceUri(HOST, 'd1', 'm1')).toBe(`${HOST}/devices/d1/modules/m1`);
    expect(dpsResourceUri('0ne00000001', 'reg-1')).toBe('0ne00000001/registrations/reg-1');
  });
});

describe.each(cryptos)('sasToken with %s', (_name, crypto) => {
  it('has the documented shape, with sr URL-encoded and not lower-cased', () => {
    const t = sasToken(crypto, deviceResourceUri('Hub.azure-devices.net', 'Dev1'), KEY, 1700000000);
    expect(t).toMatch(/^SharedAccessSignature sr=Hub\.azure-devices\.net%2Fdevices%2FDev1&sig=[A-Za-z0-9%]+&se=1700000000$/);
    const sig = decodeURIComponent(/sig=([^&]+)/.exec(t)![1]!);
    const expected = createHmac('sha256', Buffer.from(KEY, 'base64')).update('Hub.azure-devices.net%2Fdevices%2FDev1\n1700000000').digest('base64');
    expect(sig).toBe(expected);
  });

  it('equals azure-iot-common for ids that need URL-encoding', () => {
    for (const id of ['d1', 'd@1', 'a=b', 'x$y', "dev'1", 'a,b', 'p%20q', 'f(x)*!', 'a:b?c', 'MiXeD.Case_-']) {
      const uri = deviceResourceUri(HOST, id);
      expect(sasToken(crypto, uri, KEY, 1893456000)).toBe(golden(uri, KEY, 1893456000));
    }
  });

  it('equals azure-iot-common for modules and policy names (skn comes before se, as the SDK writes it)', () => {
    const uri = deviceResourceUri(HOST, 'gw@1', "mod'(1)");
    const t = sasToken(crypto, uri, KEY, 1700000123, 'iothubowner');
    expect(t).toBe(golden(uri, KEY, 1700000123, 'iothubowner'));
    expect(t).toMatch(/&skn=iothubowner&se=1700000123$/);
    const odd = sasToken(crypto, uri, KEY, 1700000123, "pol icy*'x/é");
    expect(odd).toBe(golden(uri, KEY, 1700000123, "pol icy*'x/é"));
    expect(odd).toContain('&skn=pol%20icy%2a%27x%2F%C3%A9&');
  });

  it('equals azure-iot-common for a DPS registration token', () => {
    const uri = dpsResourceUri('0ne00ABCDEF', 'my-device-01');
    expect(sasToken(crypto, uri, KEY, 1700000000, 'registration')).toBe(golden(uri, KEY, 1700000000, 'registration'));
  });

  it('equals azure-iot-common for random hosts, ids, keys, expiries and policies', () => {
    const idChar = fc.constantFrom(...("abcXYZ0189-.%_*?!(),:=@$'").split(''));
    const id = fc.string({ unit: idChar, minLength: 1, maxLength: 40 });
    const host = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}\.azure-devices\.net$/);
    const key = fc.uint8Array({ minLength: 1, maxLength: 100 }).map((b) => Buffer.from(b).toString('base64'));
    const expiry = fc.integer({ min: 1, max: 2 ** 40 });
    const policy = fc.option(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), { nil: undefined });
    fc.assert(
      fc.property(host, id, fc.option(id, { nil: undefined }), key, expiry, policy, (h, d, m, k, e, p) => {
        const uri = deviceResourceUri(h, d, m);
        return sasToken(crypto, uri, k, e, p) === golden(uri, k, e, p);
      }),
      { numRuns: crypto === nodeCrypto ? 500 : 200 },
    );
  });
});

describe('sas (sasToken without its checks)', () => {
  it('mints the same tokens as sasToken', () => {
    const c = jsCrypto();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 2 ** 40 }), fc.option(fc.string({ minLength: 1, maxLength: 9 }), { nil: undefined }), (uri, e, p) => {
        return sas(c, uri, KEY, e, p) === sasToken(c, uri, KEY, e, p) && sas(c, uri, KEY, e, p) === golden(uri, KEY, e, p);
      }),
      { numRuns: 100 },
    );
  });
});

describe('sasToken: programmer errors', () => {
  const c = jsCrypto();
  const uri = deviceResourceUri(HOST, 'd1');
  it('refuses an expiry that is not a positive whole number of seconds', () => {
    for (const e of [0, -1, 1.5, NaN, Infinity, 1e21]) {
      expect(() => sasToken(c, uri, KEY, e)).toThrow('sas: expiry must be a positive whole number of seconds');
    }
  });
  it('refuses an empty key or resource URI', () => {
    expect(() => sasToken(c, uri, '', 1)).toThrow('sas: empty key');
    expect(() => sasToken(c, '', KEY, 1)).toThrow('sas: empty resource URI');
  });
  it('refuses a key that is not base64, without quoting it', () => {
    const key = 'Zm9v*secret*part';
    let msg = '';
    try {
      sasToken(c, uri, key, 1);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toBe('base64: bad character at offset 4');
  });
});
