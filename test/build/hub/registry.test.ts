import { statSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConnectionString } from '../../../firmware/iothub/connstr.js';
import { connectionString, Registry } from '../../../build/hub/registry.js';
import { tempDir } from './rig.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

describe('Registry', () => {
  it('adds devices with fresh 32-byte keys, lists, gets and removes them', () => {
    const r = new Registry(tmp.dir);
    expect(r.list()).toEqual([]);
    const a = r.add('sensor-1');
    const b = r.add("o'k:x@y");
    expect(Buffer.from(a.primaryKey, 'base64')).toHaveLength(32);
    expect(a.primaryKey).not.toBe(b.primaryKey);
    expect(new Registry(tmp.dir).list().map((d) => d.deviceId)).toEqual(['sensor-1', "o'k:x@y"]);
    expect(r.get('sensor-1')).toEqual(a);
    expect(r.get('SENSOR-1')).toBeUndefined();
    expect(r.remove('sensor-1')).toBe(true);
    expect(r.remove('sensor-1')).toBe(false);
    expect(r.list().map((d) => d.deviceId)).toEqual(["o'k:x@y"]);
  });

  it('keeps the keys readable by their owner only', () => {
    new Registry(tmp.dir).add('private');
    expect(statSync(`${tmp.dir}/registry.json`).mode & 0o777).toBe(0o600);
  });

  it('refuses invalid and duplicate ids', () => {
    const r = new Registry(tmp.dir);
    for (const id of ['', 'a/b', 'a#', 'a+b', 'x'.repeat(129), 'süd']) expect(() => r.add(id), id).toThrow(/device id/);
    r.add('dup');
    expect(() => r.add('dup')).toThrow(/already exists/);
  });

  it('says which file is broken', () => {
    const bad = tempDir();
    writeFileSync(`${bad.dir}/registry.json`, '{');
    expect(() => new Registry(bad.dir).list()).toThrow(/registry\.json is not valid JSON/);
    bad.cleanup();
  });
});

describe('connectionString', () => {
  it('is what the firmware parser reads back, gateway included', () => {
    const d = { deviceId: 'd-1', primaryKey: Buffer.alloc(32, 7).toString('base64'), created: '' };
    const cs = connectionString('localhost', d, { host: '127.0.0.1', port: 18883 });
    expect(cs).toBe(`HostName=localhost;DeviceId=d-1;SharedAccessKey=${d.primaryKey};GatewayHostName=127.0.0.1:18883`);
    expect(parseConnectionString(cs)).toEqual({ hostName: 'localhost', deviceId: 'd-1', sharedAccessKey: d.primaryKey, gatewayHostName: '127.0.0.1', gatewayPort: 18883 });
    expect(parseConnectionString(connectionString('h', d, { host: '::1', port: 1 })).gatewayHostName).toBe('::1');
    expect(connectionString('h', d)).not.toContain('Gateway');
  });
});
