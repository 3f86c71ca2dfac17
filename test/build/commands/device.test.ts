// `tinyiot device` as a user runs it: a child process on a temporary data folder.
import { afterAll, describe, expect, it } from 'vitest';
import { authenticate, parseSas } from '../../../build/hub/auth.js';
import { Registry } from '../../../build/hub/registry.js';
import { parseConnectionString } from '../../../firmware/iothub/connstr.js';
import { deviceResourceUri, sasToken } from '../../../firmware/iothub/sas.js';
import { nodeCrypto } from '../../../hal/emulated/crypto.js';
import { rawDevice, startTestHub, tempDir } from '../hub/rig.js';
import { runCli } from '../cliRun.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const dev = (...args: string[]) => runCli(['device', ...args, '--data', tmp.dir]);

describe('tinyiot device (no hub running)', () => {
  it('adds a device and prints its connection string for the local hub', async () => {
    const r = await dev('add', 'dev-1');
    expect(r.code).toBe(0);
    const cs = parseConnectionString(r.stdout.trim());
    const key = new Registry(tmp.dir).get('dev-1')!.primaryKey;
    expect(cs).toEqual({ hostName: 'localhost', deviceId: 'dev-1', sharedAccessKey: key, gatewayHostName: '127.0.0.1', gatewayPort: 8883 });
    expect((await dev('connection-string', 'dev-1')).stdout.trim()).toBe(r.stdout.trim());
  });

  it('lists devices without their keys', async () => {
    await dev('add', 'dev-2');
    const keys = new Registry(tmp.dir).list().map((d) => d.primaryKey);
    const text = await dev('list');
    expect(text.stdout).toMatch(/^dev-1\t\S+Z\ndev-2\t\S+Z\n$/);
    const json = await dev('list', '--json');
    expect(JSON.parse(json.stdout).map((d: { deviceId: string; connected: boolean }) => [d.deviceId, d.connected])).toEqual([['dev-1', false], ['dev-2', false]]);
    for (const k of keys) expect(text.stdout + json.stdout).not.toContain(k);
  });

  it('prints a SAS token the hub accepts, without the key', async () => {
    const key = new Registry(tmp.dir).get('dev-1')!.primaryKey;
    const r = await dev('token', 'dev-1', '--ttl', '120');
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(key);
    const now = Math.floor(Date.now() / 1000);
    const a = authenticate({ hubName: 'localhost', clientId: 'dev-1', username: 'localhost/dev-1/?api-version=2021-04-12', password: Buffer.from(r.stdout.trim()), now, keyOf: () => key });
    expect(a.ok).toBe(true);
    if (a.ok) expect(a.expiry - now).toBeGreaterThan(100);
  });

  it('prints a token for a real hub from --hub-host and --key', async () => {
    const key = Buffer.alloc(32, 3).toString('base64');
    const r = await dev('token', 'far-away', '--hub-host', 'myhub.azure-devices.net', '--key', key);
    expect(r.code).toBe(0);
    const se = +parseSas(r.stdout.trim())!.se;
    expect(r.stdout.trim()).toBe(sasToken(nodeCrypto(), deviceResourceUri('myhub.azure-devices.net', 'far-away'), key, se));
  });

  it('removes a device', async () => {
    await dev('add', 'gone');
    expect((await dev('remove', 'gone')).stdout).toBe('removed gone\n');
    expect(new Registry(tmp.dir).get('gone')).toBeUndefined();
  });

  it('explains errors and exits non-zero', async () => {
    const bad = await dev('add', 'a/b');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/device id 'a\/b'.*'\/'.*not allowed/);
    const dup = await dev('add', 'dev-1');
    expect([dup.code, dup.stderr]).toEqual([1, "tinyiot device: device 'dev-1' already exists\n"]);
    for (const args of [['remove', 'nope'], ['token', 'nope'], ['connection-string', 'nope']]) {
      const r = await dev(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/unknown device 'nope'/);
    }
    const usage: [string[], RegExp][] = [
      [[], /^tinyiot device: missing subcommand \(add, list, remove, connection-string, token\)\n\nusage: tinyiot device /],
      [['add'], /needs a device id/],
      [['fly', 'x'], /^tinyiot device: unknown subcommand 'fly'\n\nusage: tinyiot device /],
      [['frob'], /^tinyiot device: unknown subcommand 'frob'\n\nusage: tinyiot device <command>/],
      [['token', 'x', '--key', 'AAAA'], /--hub-host and --key go together/],
      [['token', 'dev-1', '--ttl', '0'], /--ttl must be a positive whole number/],
      [['list', '--bogus'], /bogus/],
    ];
    for (const [args, msg] of usage) {
      const r = await dev(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    // Twelve CLI runs one after another, each starting tsx: on a loaded 2-core box that nears 30 s.
  }, 120_000);
});

describe('tinyiot device (hub running)', () => {
  it('uses the running hub’s port, shows connections and removes through the hub', async () => {
    const hub = await startTestHub(tmp.dir);
    try {
      const cs = parseConnectionString((await dev('connection-string', 'dev-2')).stdout.trim());
      expect(cs.gatewayPort).toBe(hub.port);
      const d = rawDevice(hub, 'dev-2');
      expect(await d.connack()).toBe(0);
      expect((await dev('list')).stdout).toMatch(/^dev-2\t\S+\tconnected$/m);
      hub.updateDesired('dev-2', { a: 1 });
      expect((await dev('remove', 'dev-2')).code).toBe(0);
      await d.waitClosed();
      expect(hub.registry.get('dev-2')).toBeUndefined();
      expect(hub.getTwin.bind(hub, 'dev-2')).toThrow(/unknown device/);
    } finally {
      await hub.stop();
    }
  });
});
