import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cliRun.js';

const out = mkdtempSync(join(tmpdir(), 'tinyiot-cli-build-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('tinyiot build', () => {
  it('builds mqtt-blink for esp32: files, report on stdout, progress on stderr', async () => {
    const r = await runCli(['build', 'mqtt-blink', '--board', 'esp32', '--out', out]);
    expect(r.stderr).toContain('build: bundling mqtt-blink for esp32');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^mqtt-blink for esp32 \(ESP32\): within budget\n/);
    expect(r.stdout).toMatch(/\nbundle +\d+ B of 113664 B allowed/);
    for (const f of ['mqtt-blink.js', 'mqtt-blink.module.js', 'mqtt-blink.size.txt']) expect(existsSync(join(out, 'esp32', f))).toBe(true);
    expect(readFileSync(join(out, 'esp32', 'mqtt-blink.size.txt'), 'utf8')).toBe(r.stdout);
  }, 60000);

  it('fails over budget with exit 1 and the biggest modules', async () => {
    const r = await runCli(['build', 'mqtt-blink', '--board', 'esp32', '--out', out, '--budget-bytes', '3000']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/OVER BUDGET/);
    expect(r.stdout).toMatch(/largest modules: firmware\/mqtt\/\S+ \(\d+ B\)/);
    expect(r.stderr).toMatch(/tinyiot build: mqtt-blink for esp32 failed: over budget:\n {2}bundle is \d+ bytes, over the 3000-byte limit/);
  }, 60000);

  it('--budget-jsvars replaces the board\'s JsVar budget: over it fails with exit 1 and the report', async () => {
    const r = await runCli(['build', 'mqtt-blink', '--board', 'esp32', '--out', out, '--budget-jsvars', '100']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\nJsVars +\d+ of 100 budget/);
    expect(r.stderr).toMatch(/tinyiot build: mqtt-blink for esp32 failed: over budget:\n {2}(measured|estimated) \d+ JsVars, over the budget of 100 by \d+\n/);
  }, 60000);

  it('explains boards that cannot build (a usage mistake, 2): the Puck needs its gateway link, the ESP8266 needs --insecure-dev', async () => {
    // The Puck builds for its link to tinyiot gateway; plain TCP it has none of.
    const puck = await runCli(['build', 'mqtt-blink', '--board', 'puckjs', '--insecure-dev', '--out', out]);
    expect(puck.code).toBe(2);
    expect(puck.stderr).toContain('needs a gateway');
    // Built for the link, it fits: measured 16,199 of 16,384 bytes, its JsVars within budget.
    const linked = await runCli(['build', 'mqtt-blink', '--board', 'puckjs', '--out', out]);
    expect(linked.code).toBe(0);
    expect(linked.stdout).toMatch(/^bundle +\d+ B of 16384 B allowed/m);
    const esp = await runCli(['build', 'mqtt-blink', '--board', 'esp8266', '--out', out]);
    expect(esp.code).toBe(2);
    expect(esp.stderr).toMatch(/has no TLS.*Pass --insecure-dev/);
  }, 60000);

  it.each([
    [['build'], 2, /missing <app>/],
    [['build', 'mqtt-blink'], 2, /missing --board <id>/],
    [['build', 'mqtt-blink', '--board'], 2, /--board needs a value/],
    [['build', 'mqtt-blink', '--board', 'esp32', '--fast'], 2, /unknown option '--fast'/],
    [['build', 'mqtt-blink', '--board', 'esp32', '--budget-bytes', 'x'], 2, /--budget-bytes must be a positive number/],
    [['build', 'mqtt-blink', '--board', 'esp32', '--budget-jsvars', '0'], 2, /--budget-jsvars must be a positive number/],
    [['build', 'mqtt-blink', '--board', 'nope'], 2, /unknown board 'nope' \(known boards: /],
    [['build', 'nope', '--board', 'esp32'], 2, /unknown app 'nope' \(apps: /],
  ])('%j exits %i with a clear message', async (args, code, msg) => {
    const r = await runCli(args);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(msg);
  }, 30000);

  it('has help', async () => {
    const r = await runCli(['build', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: tinyiot build <app> --board <id>/);
  });
});
