// The start-up check on Espruino's own interpreter: a real app booted from Storage as a board
// boots it, over stand-ins for the network, Wifi, pins and the modem UART, measured in blocks.
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { bundleFirmware } from '../../../build/bundle.js';
import { bootLine, generateEntry } from '../../../build/firmware/entry.js';
import { loadApp } from '../../../build/firmware/apps.js';
import { smokeOnEspruino } from '../../../build/firmware/smoke-espruino.js';
import { requireEspruino } from '../../support/espruino.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const e = requireEspruino();

async function build(appName: string, boardId: string) {
  const app = loadApp(appName), board = loadBoard(boardId);
  const dir = await mkdtemp(join(tmpdir(), 'tinyiot-smoke-'));
  try {
    const entry = join(dir, 'entry.ts');
    await writeFile(entry, generateEntry(app, board));
    const { code } = await bundleFirmware(entry, { globalName: 'tinyiot', minify: true });
    return { code, board, app };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe.skipIf(e.missing)('smokeOnEspruino', () => {
  it.each([['iothub-sensor', 'espruino-wifi'], ['mqtt-blink', 'esp32']])('starts %s for %s from Storage: its log, blocks loaded and started', async (appName, boardId) => {
    const { code, board, app } = await build(appName, boardId);
    const r = await smokeOnEspruino(code, bootLine(board, 'tinyiot'), board, app.example);
    expect(r.error).toBeUndefined();
    expect(r.output).toContain(`info: tinyiot: starting on ${boardId}`);
    expect(r.loadBlocks).toBeGreaterThan(100);
    // Starting creates the HAL, the client and the app's state: a few hundred blocks (about 400
    // for mqtt-blink, all made once), not nothing.
    expect(r.startBlocks).toBeGreaterThan(r.loadBlocks + 200);
    expect(r.startBlocks).toBeLessThan(board.jsVars);
  }, 60000);

  it('reports an error thrown by an event main() queued', async () => {
    const board = loadBoard('esp32');
    const r = await smokeOnEspruino('var tinyiot={run:function(env){env.setTimeout(function(){throw new Error("later");},0);}};', bootLine(board, 'tinyiot'), board, {});
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^main\(\) did not start: .*later/);
  });

  it('the stand-ins: sockets that never open, no Wifi join, pins and UART that do nothing; Storage and crypto are real', async () => {
    const board = loadBoard('espruino-wifi');
    const run = `var n = 0, s = env.require("tls").connect({ host: "x" }, function () { n++; }); s.on("data", function () { n++; }); s.write("x");
      env.require("Wifi").connect("ssid", {}, function () { n++; });
      env.digitalWrite("A14", 1); env.serial.setup(115200, {}); env.serial.write("AT");
      env.setTimeout(function () { env.print("n " + n + " " + env.require("Storage").readJSON("tinyiot.json").k + " " + new Uint8Array(env.require("crypto").SHA256("abc"))[0]); }, 10);`;
    const r = await smokeOnEspruino(`var tinyiot={run:function(env){${run}}};`, bootLine(board, 'tinyiot'), board, { k: 'v' });
    expect(r.error).toBeUndefined();
    expect(r.output).toBe('n 0 v 186\n');
  });
});
