import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gateway, isBase64, parseConnectionString } from '../../../firmware/iothub/connstr.js';

const KEY = 'c2VjcmV0LWRldmljZS1rZXktMzItYnl0ZXMtbG9uZyE=';
const H = 'HostName=hub.azure-devices.net';

describe('parseConnectionString: accepted forms', () => {
  it('a device with a symmetric key', () => {
    expect(parseConnectionString(`${H};DeviceId=d1;SharedAccessKey=${KEY}`)).toEqual({
      hostName: 'hub.azure-devices.net',
      deviceId: 'd1',
      sharedAccessKey: KEY,
    });
  });

  it('a module, with a policy name, in any order, with stray separators and surrounding space', () => {
    expect(parseConnectionString(` SharedAccessKeyName=device;ModuleId=m-1;;SharedAccessKey=${KEY};DeviceId=d1;${H};\n`)).toEqual({
      hostName: 'hub.azure-devices.net',
      deviceId: 'd1',
      moduleId: 'm-1',
      sharedAccessKey: KEY,
      sharedAccessKeyName: 'device',
    });
  });

  it('an X.509 device', () => {
    expect(parseConnectionString(`${H};DeviceId=d1;x509=true`)).toEqual({ hostName: 'hub.azure-devices.net', deviceId: 'd1', x509: true });
    expect(parseConnectionString(`${H};DeviceId=d1;x509=false;SharedAccessKey=${KEY}`)).toEqual({
      hostName: 'hub.azure-devices.net',
      deviceId: 'd1',
      sharedAccessKey: KEY,
    });
  });

  it('a gateway with and without a port; an IPv6 literal loses its brackets', () => {
    const base = `${H};DeviceId=d1;SharedAccessKey=${KEY};GatewayHostName=`;
    expect(parseConnectionString(base + '127.0.0.1:18883')).toMatchObject({ hostName: 'hub.azure-devices.net', gatewayHostName: '127.0.0.1', gatewayPort: 18883 });
    const noPort = parseConnectionString(base + 'edge.local');
    expect(noPort.gatewayHostName).toBe('edge.local');
    expect('gatewayPort' in noPort).toBe(false);
    expect(parseConnectionString(base + '[::1]:8883')).toMatchObject({ gatewayHostName: '::1', gatewayPort: 8883 });
  });

  it('reads the same fields as azure-iot-common ConnectionString.parse', () => {
    const { ConnectionString } = createRequire(import.meta.url)('azure-iot-common') as {
      ConnectionString: { parse(s: string): Record<string, string> };
    };
    const s = `${H};DeviceId=d@1;ModuleId=m(1);SharedAccessKey=${KEY};SharedAccessKeyName=p;GatewayHostName=gw:1`;
    const theirs = ConnectionString.parse(s);
    const ours = parseConnectionString(s);
    expect([ours.hostName, ours.deviceId, ours.moduleId, ours.sharedAccessKey, ours.sharedAccessKeyName, `${ours.gatewayHostName}:${ours.gatewayPort}`]).toEqual([
      theirs.HostName,
      theirs.DeviceId,
      theirs.ModuleId,
      theirs.SharedAccessKey,
      theirs.SharedAccessKeyName,
      theirs.GatewayHostName,
    ]);
  });
});

describe('parseConnectionString: errors name the bad part', () => {
  const bad: [string, string][] = [
    ['', 'connection string: empty'],
    ['  \n', 'connection string: empty'],
    [`DeviceId=d1;SharedAccessKey=${KEY}`, 'connection string: missing HostName'],
    [`${H};SharedAccessKey=${KEY}`, 'connection string: missing DeviceId'],
    [`${H};DeviceId=d1`, 'connection string: missing SharedAccessKey (or x509=true)'],
    [`${H};DeviceId=d1;x509=false`, 'connection string: missing SharedAccessKey (or x509=true)'],
    [`${H};DeviceId=d1;SharedAccessKey=not*base64!`, 'connection string: SharedAccessKey is not valid base64'],
    [`${H};DeviceId=d1;SharedAccessKey=abc`, 'connection string: SharedAccessKey is not valid base64'],
    [`${H};DeviceId=d1;SharedAccessKey=${KEY};Foo=bar`, "connection string: unknown part 'Foo'"],
    [`${H};DeviceId=d1;sharedaccesskey=${KEY}`, "connection string: unknown part 'sharedaccesskey'"],
    [`${H};DeviceId=d1;DeviceId=d2;SharedAccessKey=${KEY}`, "connection string: duplicate 'DeviceId'"],
    [`${H};DeviceId=;SharedAccessKey=${KEY}`, "connection string: empty 'DeviceId'"],
    [`${H};DeviceId=d1;SharedAccessKey=`, "connection string: empty 'SharedAccessKey'"],
    [`${H};DeviceId=d1;SharedAccessKey${KEY}`, "connection string: missing '=' after SharedAccessKey"],
    [`${H};DeviceId=d1;SharedAccessKeyNameX;SharedAccessKey=${KEY}`, 'connection string: part 3 is not name=value'],
    [`${H};DeviceId=d1;SharedAccessKeyNamep=x;SharedAccessKey=${KEY}`, "connection string: missing '=' after SharedAccessKeyName"],
    [`${H};DeviceId=d1;x509=true;${KEY}`, 'connection string: unknown part 4'],
    [`${H};DeviceId=d1;x509=true;SomethingMuchTooLongToBeAName=1`, 'connection string: unknown part 4'],
    [`${H};=x;DeviceId=d1`, 'connection string: part 2 is not name=value'],
    [`${H};DeviceId=a/b;SharedAccessKey=${KEY}`, "connection string: DeviceId: character '/' is not allowed"],
    [`${H};DeviceId=${'d'.repeat(129)};SharedAccessKey=${KEY}`, 'connection string: DeviceId is longer than 128 characters'],
    [`${H};DeviceId=d;ModuleId=m#;SharedAccessKey=${KEY}`, "connection string: ModuleId: character '#' is not allowed"],
    [`HostName=hub/x;DeviceId=d1;SharedAccessKey=${KEY}`, "connection string: HostName: character '/' is not allowed"],
    [`HostName=hub:8883;DeviceId=d1;SharedAccessKey=${KEY}`, "connection string: HostName: character ':' is not allowed"],
    [`${H};DeviceId=d1;x509=yes`, 'connection string: x509 must be true or false'],
    [`${H};DeviceId=d1;x509=true;SharedAccessKey=${KEY}`, 'connection string: SharedAccessKey and x509=true exclude each other'],
    [`${H};DeviceId=d1;x509=true;GatewayHostName=gw:99999`, 'connection string: GatewayHostName is not host or host:port'],
    [`${H};DeviceId=d1;x509=true;GatewayHostName=gw:0`, 'connection string: GatewayHostName is not host or host:port'],
    [`${H};DeviceId=d1;x509=true;GatewayHostName=gw:`, 'connection string: GatewayHostName is not host or host:port'],
    [`${H};DeviceId=d1;x509=true;GatewayHostName=::1`, 'connection string: GatewayHostName is not host or host:port'],
    [`${H};DeviceId=d1;x509=true;Bad\u0001=1`, "connection string: unknown part 'Bad\\u0001'"],
  ];
  for (const [s, msg] of bad) {
    it(JSON.stringify(s.length > 60 ? '...' + s.slice(-50) : s), () => {
      expect(() => parseConnectionString(s)).toThrow(msg);
      try {
        parseConnectionString(s);
      } catch (e) {
        expect((e as Error).message).toBe(msg);
      }
    });
  }
  it('refuses a non-string', () => {
    expect(() => parseConnectionString(undefined as unknown as string)).toThrow('connection string: empty');
  });
});

describe('gateway', () => {
  it('reads host, host:port, [IPv6] and [IPv6]:port', () => {
    expect([gateway('h'), gateway('h:1'), gateway('10.0.0.1:65535'), gateway('[::1]'), gateway('[fe80::1%eth0]:8883')]).toEqual([
      ['h', 0], ['h', 1], ['10.0.0.1', 65535], ['::1', 0], ['fe80::1%eth0', 8883],
    ]);
  });
  it('refuses anything else', () => {
    for (const g of ['', ':1', 'h:', 'h:0', 'h:65536', 'h:123456', 'h:1x', 'h:+1', 'a:b:c', '::1', '[::1', '[]', '[::1]x', '[::1]:', '[a]]', 'a]b', 'a[b']) {
      expect(gateway(g), g).toBeNull();
    }
  });
});

describe('isBase64', () => {
  it('gives the bytes of a base64 key, undefined for anything else', () => {
    expect(Buffer.from(isBase64(KEY)!).toString('base64')).toBe(KEY);
    for (const s of ['abc', 'ab!=', 'Zg=A', 'Zm9v\n']) expect(isBase64(s)).toBeUndefined();
  });
});

describe('parseConnectionString: the key never appears in an error', () => {
  // Random base64 keys in randomly damaged connection strings: parts dropped, duplicated, renamed,
  // reordered, ids made invalid, the key itself corrupted. Whatever the error, it must not
  // contain the key, nor any 8-character piece of it.
  const key = fc.uint8Array({ minLength: 16, maxLength: 64 }).map((b) => Buffer.from(b).toString('base64'));
  const damage = fc.constantFrom('none', 'drop-host', 'drop-device', 'dup-key', 'rename-key', 'bad-key-char', 'truncate-key', 'bad-device', 'no-equals', 'unknown', 'x509-too', 'bad-gateway', 'key-alone', 'glue-device', 'glue-host', 'glue-gateway');
  const pieces = (k: string): string[] => {
    const out: string[] = [];
    for (let i = 0; i + 8 <= k.length; i++) out.push(k.slice(i, i + 8));
    return out;
  };
  it('holds for 1000 damaged strings', () => {
    let errors = 0;
    fc.assert(
      fc.property(key, fc.array(damage, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 1000 }), (k, ds, seed) => {
        let parts = [H, 'DeviceId=dev1', `SharedAccessKey=${k}`];
        for (const d of ds) {
          if (d === 'drop-host') parts = parts.filter((p) => !p.startsWith('HostName'));
          if (d === 'drop-device') parts = parts.filter((p) => !p.startsWith('DeviceId'));
          if (d === 'dup-key') parts.push(`SharedAccessKey=${k}`);
          if (d === 'rename-key') parts = parts.map((p) => p.replace('SharedAccessKey=', 'SharedAcessKey='));
          if (d === 'bad-key-char') parts = parts.map((p) => (p.startsWith('SharedAccessKey=') ? p.slice(0, 20) + '!' + p.slice(21) : p));
          if (d === 'truncate-key') parts = parts.map((p) => (p.startsWith('SharedAccessKey=') ? p.slice(0, p.length - 1 - (seed % 3)) : p));
          if (d === 'bad-device') parts = parts.map((p) => (p.startsWith('DeviceId=') ? 'DeviceId=a b' : p));
          if (d === 'no-equals') parts = parts.map((p) => p.replace('SharedAccessKey=', 'SharedAccessKey'));
          if (d === 'unknown') parts.push('Foo=bar');
          if (d === 'x509-too') parts.push('x509=true');
          if (d === 'bad-gateway') parts.push('GatewayHostName=[x');
          if (d === 'key-alone') parts.push(k);
          // A missing `;` glues the key into another value.
          if (d === 'glue-device') parts = ['DeviceId=dev1SharedAccessKey=' + k, ...parts.filter((p) => !p.startsWith('DeviceId'))];
          if (d === 'glue-host') parts = ['HostName=hSharedAccessKey=' + k, ...parts.filter((p) => !p.startsWith('HostName'))];
          if (d === 'glue-gateway') parts.push('GatewayHostName=gwSharedAccessKey=' + k);
        }
        if (seed % 2) parts.reverse();
        try {
          parseConnectionString(parts.join(';'));
          return true;
        } catch (e) {
          errors++;
          const m = (e as Error).message;
          return m.startsWith('connection string: ') && m.indexOf(k) < 0 && pieces(k).every((p) => m.indexOf(p) < 0);
        }
      }),
      { numRuns: 1000 },
    );
    expect(errors).toBeGreaterThan(500);
  });
});
