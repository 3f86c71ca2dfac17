import { describe, expect, it } from 'vitest';
import { listApps, loadApp } from '../../../build/firmware/apps.js';

describe('apps', () => {
  it('lists the example apps and loads their sample config', () => {
    expect(listApps()).toEqual(expect.arrayContaining(['iothub-sensor', 'mqtt-blink']));
    const a = loadApp('iothub-sensor');
    expect(a.main).toMatch(/firmware\/apps\/iothub-sensor\/main\.ts$/);
    expect(a.example.connectionString).toMatch(/^HostName=/);
  });

  it('refuses unknown and malformed names', () => {
    expect(() => loadApp('nope')).toThrow(/unknown app 'nope' \(apps: .*mqtt-blink/);
    expect(() => loadApp('../boards')).toThrow(/bad app name/);
  });
});
