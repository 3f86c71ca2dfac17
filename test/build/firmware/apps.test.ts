import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    expect(() => loadApp('Bad_Name')).toThrow(/bad app name/);
  });

  it('takes a path as a folder of the user\'s own: main.ts or src/main.ts, named after package.json or the folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyiot-apps-'));
    try {
      mkdirSync(join(dir, 'My Thermostat', 'src'), { recursive: true });
      writeFileSync(join(dir, 'My Thermostat', 'src', 'main.ts'), 'export function main() {}\n');
      const a = loadApp(join(dir, 'My Thermostat'));
      expect(a).toMatchObject({ name: 'my-thermostat', main: join(dir, 'My Thermostat', 'src', 'main.ts'), example: {} });
      expect(a.exampleMissing).toBe(join(dir, 'My Thermostat', 'src', 'config.example.json'));
      writeFileSync(join(dir, 'My Thermostat', 'package.json'), '{"name":"@me/heater"}');
      writeFileSync(join(dir, 'My Thermostat', 'config.example.json'), '{"host":"h"}');
      const named = loadApp(join(dir, 'My Thermostat'));
      expect(named).toMatchObject({ name: 'heater', example: { host: 'h' } });
      expect(named.exampleMissing).toBeUndefined();
      expect(() => loadApp(join(dir, 'nowhere'))).toThrow(/app folder .*nowhere does not exist/);
      expect(() => loadApp(dir)).toThrow(/is not an app: it has neither main\.ts nor src\/main\.ts/);
      expect(() => loadApp('../boards')).toThrow(/does not exist|is not an app/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names where a sample config is broken without quoting it, since it may hold a key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyiot-apps-'));
    try {
      mkdirSync(join(dir, 'leaky'));
      writeFileSync(join(dir, 'leaky', 'main.ts'), 'export function main() {}\n');
      writeFileSync(join(dir, 'leaky', 'config.example.json'), '{\n "connectionString": SharedAccessKey=TOPSECRET\n}');
      let msg = '';
      try {
        loadApp('leaky', dir);
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).toMatch(/config\.example\.json is not valid JSON \(line 2, column \d+\)/);
      expect(msg).not.toContain('TOPSECRET');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
