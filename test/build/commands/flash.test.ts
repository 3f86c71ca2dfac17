import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../support/ports.js';
import { startFakeRepl } from '../../support/fake-repl.js';
import { runCli } from '../cliRun.js';

const out = mkdtempSync(join(tmpdir(), 'tinyiot-cli-flash-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('tinyiot flash', () => {
  it('builds and uploads to a board on a TCP port, with progress', async () => {
    const repl = await startFakeRepl();
    try {
      const r = await runCli(['flash', 'mqtt-blink', '--board', 'espruino-wifi', '--port', `tcp://127.0.0.1:${repl.port}`, '--out', out]);
      expect(r.stderr).toContain('flash: board answered: Espruino 2v24');
      expect(r.code).toBe(0);
      const stored = repl.storage.get('.bootcde')!;
      // The firmware's top level is the board's (build/global-layout.ts); its exports are defined last.
      expect(stored).toMatch(/^var \$/);
      expect(stored).toMatch(/;var tinyiot=\{run:/);
      expect(stored.trimEnd().split('\n').pop()).toMatch(/^tinyiot\.run\(\{require:require,.*,serial:Serial2\}\);$/);
      expect(r.stderr).toMatch(/flash: uploading \d+ bytes to Storage ".bootcde"\nflash: verifying\nflash: done/);
    } finally {
      await repl.close();
    }
  }, 90000);

  it('exits 1 with a clear error when nothing listens on the port', async () => {
    const port = await freePort();
    const r = await runCli(['flash', 'mqtt-blink', '--board', 'esp32', '--port', `tcp://127.0.0.1:${port}`, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`tinyiot flash: cannot connect to tcp://127.0.0.1:${port}: ECONNREFUSED`);
  }, 60000);

  it.each([
    [['flash', 'mqtt-blink', '--board', 'esp32'], 2, /missing --port/],
    [['flash', 'mqtt-blink', '--board', 'esp32', '--port', '/dev/nope-tinyiot'], 1, /no such serial device/],
    [['flash', 'mqtt-blink', '--board', 'esp32', '--port', 'tcp://x'], 2, /expected tcp:\/\/host:port/],
  ])('%j exits %i', async (args, code, msg) => {
    const r = await runCli(args);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(msg);
  }, 30000);
});
