import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { APP, buildSensor, DEVICE_ID, openDemoHub, startDevice } from '../../../build/demo/setup.js';
import type { Hub } from '../../../build/hub/server.js';
import { tempDir } from '../hub/rig.js';

const open: Hub[] = [];
const tmp = tempDir();
afterEach(async () => {
  for (const h of open.splice(0)) await h.stop();
});
afterAll(() => tmp.cleanup());

describe('openDemoHub', () => {
  it('registers the demo device on the local hub', async () => {
    const a = await openDemoHub(tmp.dir);
    open.push(a.hub);
    expect(a.hub.registry.list().map((d) => d.deviceId)).toEqual([DEVICE_ID]);
  });
});

describe('buildSensor and startDevice', () => {
  it('pass on a board that cannot run the app as a failed build, which startDevice refuses', async () => {
    const b = await buildSensor('puckjs', 'quickjs', () => undefined, join(tmp.dir, 'out'));
    expect(b.ok).toBe(false);
    expect(b.app.name).toBe(APP);
    // The Puck builds for its link to tinyiot gateway, and the IoT Hub app does not fit it.
    expect(b.error).toMatch(/^over budget:/);
    const hooks = { log: () => undefined, pin: () => undefined, error: () => undefined };
    await expect(startDevice('quickjs', b, {}, hooks)).rejects.toThrow('cannot start a failed build');
  });
});
