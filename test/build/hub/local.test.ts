import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openHub } from '../../../build/hub/local.js';
import type { Hub } from '../../../build/hub/server.js';
import { tempDir } from './rig.js';

const DEVICE_ID = 'local-1';
const open: Hub[] = [];
const tmp = tempDir();
afterEach(async () => {
  for (const h of open.splice(0)) await h.stop();
});
afterAll(() => tmp.cleanup());

describe('openHub', () => {
  it('starts the hub over TLS on a free port with the demo device, and keeps that device on the next run', async () => {
    const a = await openHub(tmp.dir, DEVICE_ID);
    open.push(a.hub);
    const key = a.hub.registry.get(DEVICE_ID)!.primaryKey;
    expect(a.hub.tls).toBe(true);
    expect(a.hub.port).toBeGreaterThan(0);
    expect(a.hub.caPem).toMatch(/BEGIN CERTIFICATE/);
    expect(a.connectionString).toBe(`HostName=localhost;DeviceId=${DEVICE_ID};SharedAccessKey=${key};GatewayHostName=127.0.0.1:${a.hub.port}`);
    await open.pop()!.stop();

    const b = await openHub(tmp.dir, DEVICE_ID);
    open.push(b.hub);
    expect(b.hub.registry.list()).toHaveLength(1);
    expect(b.connectionString).toContain(`SharedAccessKey=${key};`);
  });

  it('refuses a data folder another hub is using', async () => {
    const a = await openHub(tmp.dir, DEVICE_ID);
    open.push(a.hub);
    await expect(openHub(tmp.dir, DEVICE_ID)).rejects.toThrow();
  });
});

