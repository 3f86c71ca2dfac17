// Every board builds both example apps, or fails with the reason: no TCP/IP and no gateway link, no
// TLS (needs --insecure-dev), or over its budget with a report of what takes the space.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultBoardsDir, listBoards } from '../../../build/boards.js';
import { bootGlobals } from '../../../build/firmware/entry.js';
import { buildFirmware } from '../../../build/firmware/pipeline.js';
import { verifyEs5 } from '../../../build/verify.js';
import { requireEspruino } from '../../support/espruino.js';

const out = mkdtempSync(join(tmpdir(), 'tinyiot-build-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('buildFirmware on every board', () => {
  for (const app of ['mqtt-blink', 'iothub-sensor']) {
    it(`${app}: builds, or fails with the board's reason`, async () => {
      const outcomes: string[] = [];
      for (const b of listBoards()) {
        const r = await buildFirmware({ app, board: b.id, outDir: out, insecureDev: b.tls === 'none' && b.network !== 'ble' });
        if (b.network === 'ble' && !b.gatewayLink) {
          expect(r.ok).toBe(false);
          expect(r.error).toContain('needs a gateway');
          outcomes.push(`${b.id}: gateway`);
        } else if (!r.ok) {
          expect(r.error, b.id).toMatch(/^over budget:/);
          expect(r.report).toMatch(/OVER BUDGET/);
          expect(r.report).toMatch(/largest modules: firmware\//);
          expect(existsSync(join(out, b.id, `${app}.size.txt`))).toBe(true);
          outcomes.push(`${b.id}: over budget`);
        } else {
          const script = readFileSync(r.output!.script, 'utf8');
          expect(verifyEs5(script, { allowGlobals: b.hal === 'emulated' ? [] : bootGlobals }), b.id).toEqual([]);
          expect(r.budget!.bytes).toBeLessThanOrEqual(b.budget.maxBundleBytes);
          expect(r.budget!.jsVars).toBeLessThanOrEqual(Math.floor(b.jsVars * b.budget.maxShare));
          expect(readFileSync(r.output!.report, 'utf8')).toBe(r.report);
          if (b.hal !== 'emulated') expect(readFileSync(r.output!.module!, 'utf8')).toContain(`Modules.addCached("tinyiot-${app}"`);
          outcomes.push(`${b.id}: ok`);
        }
      }
      // The reference boards have room for both apps' firmware. The Puck builds for its link to
      // tinyiot gateway: the plain MQTT app fits its 16,384-byte limit (16,199 B measured), the
      // IoT Hub layer on top does not fit at all.
      for (const id of ['emulator', 'esp32', 'linux', 'rak5010']) expect(outcomes).toContain(`${id}: ok`);
      expect(outcomes).toContain(app === 'mqtt-blink' ? 'puckjs: ok' : 'puckjs: over budget');
    }, 180000);
  }

  it('lays the bundle out at the top level, and in a wrapper function only where that is what fits the byte limit', async () => {
    const said: string[] = [];
    const pico = await buildFirmware({ app: 'mqtt-blink', board: 'pico-esp8266', outDir: out, progress: (l) => said.push(l) });
    expect(pico.ok, pico.error).toBe(true);
    expect(pico.bundle).not.toMatch(/^var tinyiot=function\(\)\{/);
    expect(said.join('\n')).not.toContain('wrapper function');
    // The Puck's 16,384 bytes hold mqtt-blink only wrapped: the prefixes of the global layout cost
    // more bytes than it has left.
    const puck = await buildFirmware({ app: 'mqtt-blink', board: 'puckjs', outDir: out, progress: (l) => said.push(l) });
    expect(puck.ok, puck.error).toBe(true);
    expect(puck.bundle).toMatch(/^var tinyiot=function\(\)\{/);
    expect(said.join('\n')).toMatch(/the bundle is \d+ bytes laid out at the top level, over 16384: built in a wrapper function \(\d+ bytes/);
  }, 120000);

  it('the ESP8266 needs --insecure-dev, and is then too small for the MQTT client', async () => {
    const refused = await buildFirmware({ app: 'mqtt-blink', board: 'esp8266', outDir: out });
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(/has no TLS.*Pass --insecure-dev/);
    const r = await buildFirmware({ app: 'mqtt-blink', board: 'esp8266', outDir: out, insecureDev: true });
    expect(r.error).toMatch(/^over budget:\n {2}bundle is \d+ bytes, over the 9216-byte limit/);
    expect(r.report).toMatch(/largest modules: firmware\/mqtt\//);
  }, 60000);

  it('fails an over-budget bundle (--budget-bytes) with the per-module table', async () => {
    const r = await buildFirmware({ app: 'mqtt-blink', board: 'esp32', outDir: out, budgetBytes: 2000 });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/over the 2000-byte limit/);
    const rows = r.report!.split('\n').filter((l) => /^(firmware|hal)\//.test(l));
    const sizes = rows.map((l) => Number(l.trim().split(/\s+/)[1]));
    expect(rows.length).toBeGreaterThan(5);
    expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
    expect(existsSync(join(out, 'esp32', 'mqtt-blink.js.tmp'))).toBe(false);
  }, 60000);

  it('fails on JsVars with a board whose budget is too small (a board file from another directory)', async () => {
    const dir = join(out, 'boards');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'schema.json'), readFileSync(join(defaultBoardsDir, 'schema.json')));
    const b = JSON.parse(readFileSync(join(defaultBoardsDir, 'esp32.json'), 'utf8'));
    b.id = 'tiny32';
    b.budget = { maxShare: 0.05, maxBundleBytes: 8192 };
    writeFileSync(join(dir, 'tiny32.json'), JSON.stringify(b));
    const r = await buildFirmware({ app: 'mqtt-blink', board: 'tiny32', boardsDir: dir, outDir: out });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/(estimated|measured) \d+ JsVars, over the budget of 819 \(5% of 16383\)/);
    expect(r.error).toMatch(/over the 8192-byte limit/);
  }, 60000);

  it('two builds of the same app and board into the same folder at once both succeed, leaving whole files', async () => {
    const dir = join(out, 'race');
    const [a, b] = await Promise.all([0, 1].map(() => buildFirmware({ app: 'mqtt-blink', board: 'emulator', outDir: dir })));
    expect(a!.error).toBeUndefined();
    expect(b!.error).toBeUndefined();
    expect(a!.bundle).toBe(b!.bundle);
    expect(readFileSync(join(dir, 'emulator', 'mqtt-blink.js'), 'utf8')).toBe(a!.script);
    // The entry copy is for reading; the bundle was built from a temp folder that is gone.
    expect(readFileSync(a!.output!.entry!, 'utf8')).toContain("import { main } from");
    expect(readdirSync(join(dir, 'emulator')).sort()).toEqual(['mqtt-blink.entry.ts', 'mqtt-blink.js', 'mqtt-blink.size.txt']);
    expect(a!.report).toMatch(/^\(entry: emulated glue for emulator\)/m);
  }, 60000);

  it("starts an Espruino board's firmware on Espruino's interpreter when found, saying so once, with measured JsVars", async () => {
    const e = requireEspruino();
    const lines: string[] = [];
    const r = await buildFirmware({ app: 'mqtt-blink', board: 'esp32', outDir: out, progress: (l) => lines.push(l) });
    expect(r.ok).toBe(true);
    const starts = lines.filter((l) => l.startsWith('starting it '));
    expect(starts).toHaveLength(1);
    if (e.missing) {
      expect(starts[0]).toMatch(/^starting it in QuickJS/);
      expect(r.report).toMatch(/heap {5}QuickJS: /);
    } else {
      expect(starts[0]).toMatch(/^starting it on Espruino's interpreter, booted from Storage/);
      expect(r.report).toMatch(/heap {5}measured on Espruino's interpreter: \d+ blocks/);
      expect(r.budget!.measured).toBe(true);
    }
  }, 60000);

  it('fails with a clear message for an unknown board or app', async () => {
    await expect(buildFirmware({ app: 'mqtt-blink', board: 'nope', outDir: out })).rejects.toThrow(/unknown board 'nope' \(known boards: .*esp32/);
    await expect(buildFirmware({ app: 'nope', board: 'esp32', outDir: out })).rejects.toThrow(/unknown app 'nope'/);
  });
});
