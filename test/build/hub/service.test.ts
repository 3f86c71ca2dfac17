import { writeFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { devicePath, hubApi, hubInfo, ServiceError } from '../../../build/hub/service.js';
import { ensureServiceKey } from '../../../build/hub/servicekey.js';
import { freePort } from '../../support/ports.js';
import { startTestHub, tempDir } from './rig.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

it('says how to start a hub when none runs', async () => {
  expect(() => hubInfo(tmp.dir)).toThrow(/no hub is running.*tinyiot hub --data/);
  await expect(hubApi(tmp.dir, 'GET', '/api/devices')).rejects.toBeInstanceOf(ServiceError);
});

it('says the hub is not answering when hub.json is stale', async () => {
  const stale = tempDir();
  writeFileSync(`${stale.dir}/hub.json`, JSON.stringify({ pid: 1, hubName: 'localhost', httpPort: await freePort() }));
  ensureServiceKey(stale.dir);
  await expect(hubApi(stale.dir, 'GET', '/api/devices')).rejects.toMatchObject({ status: 0, message: expect.stringMatching(/not answering/) });
  stale.cleanup();
});

it('finds a running hub through hub.json, returns its JSON and its errors', async () => {
  const hub = await startTestHub(tmp.dir);
  try {
    hub.registry.add('a?b%');
    expect(hubInfo(tmp.dir)).toMatchObject({ pid: process.pid, port: hub.port, httpPort: hub.httpPort, tls: true, caPath: hub.caPath });
    expect(await hubApi(tmp.dir, 'GET', devicePath('a?b%', '/twin'))).toEqual({ desired: { $version: 1 }, reported: { $version: 1 } });
    await expect(hubApi(tmp.dir, 'GET', devicePath('x', '/twin'))).rejects.toMatchObject({ status: 404, message: "unknown device 'x'" });
  } finally {
    await hub.stop();
  }
  expect(() => hubInfo(tmp.dir)).toThrow(/no hub is running/);
});
