import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { APP, buildSensor, DEVICE_ID, demoBoard, openDemoHub, startDevice } from '../../../build/demo/setup.js';
import { UsageError } from '../../../build/usage-error.js';
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
    const b = await buildSensor(loadBoard('puckjs'), 'quickjs', () => undefined, join(tmp.dir, 'out'));
    expect(b.ok).toBe(false);
    expect(b.app.name).toBe(APP);
    // The Puck builds for its link to tinyiot gateway, and the IoT Hub app does not fit it.
    expect(b.error).toMatch(/^over budget:/);
    const hooks = { log: () => undefined, pin: () => undefined, error: () => undefined };
    await expect(startDevice('quickjs', b, {}, hooks)).rejects.toThrow('cannot start a failed build');
  });
});

describe('demoBoard', () => {
  it('gives a board with TLS', () => {
    expect(demoBoard('esp32').id).toBe('esp32');
  });

  it('refuses a board without TLS as a usage mistake that names no internal id and offers what works', () => {
    const e = (() => {
      try {
        demoBoard('esp8266');
      } catch (x) {
        return x as Error;
      }
      throw new Error('expected a refusal');
    })();
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toMatch(/^board 'esp8266' \(.*\) has no TLS, and the demo's hub, like Azure IoT Hub, accepts TLS connections only\. Run the demo on a board with TLS \(emulator, esp32, /);
    expect(e.message).toContain("'tinyiot sim mqtt-blink --board esp8266 --insecure-dev --broker mqtt://host:1883'");
    expect(e.message).not.toContain('.sim');
    expect(() => demoBoard('puckjs')).toThrow(/has no TCP\/IP \(network "ble"\)/);
    expect(() => demoBoard('nope')).toThrow(UsageError);
  });
});
