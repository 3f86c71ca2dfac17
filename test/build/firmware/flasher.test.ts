// flash() drives the real EspruinoTools CLI (a child process) against a fake board REPL on a
// loopback port, and must leave the exact script in the board's Storage as ".bootcde".
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { checkPort, flash, toolsBoardJson } from '../../../build/firmware/flasher.js';
import { freePort } from '../../support/ports.js';
import { startFakeRepl } from '../../support/fake-repl.js';

const dir = mkdtempSync(join(tmpdir(), 'tinyiot-flash-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const board = loadBoard('esp32');
// Quotes, backslashes, a high byte and newlines: what the upload must carry unchanged.
const script = 'var tinyiot=(function(){return{run:function(e){e.print("a\\"b\\\\c \\u00e9")}}})();\ntinyiot.run({print:print});\n';
const scriptFile = join(dir, 'app.js');
writeFileSync(scriptFile, script);

describe('flash', () => {
  it('uploads the script to Storage ".bootcde" and the config to "tinyiot.json", then load()s it', async () => {
    const repl = await startFakeRepl();
    const cfgFile = join(dir, 'cfg.json');
    writeFileSync(cfgFile, '{"host":"broker.lan","port":1883}');
    const lines: string[] = [];
    try {
      await flash({ script: scriptFile, bytes: script.length, board, port: `tcp://127.0.0.1:${repl.port}`, config: cfgFile, progress: (l) => lines.push(l), timeoutMs: 30000 });
      expect(repl.storage.get('.bootcde')).toBe(script);
      expect(JSON.parse(repl.storage.get('tinyiot.json')!)).toEqual({ host: 'broker.lan', port: 1883 });
      expect(repl.loaded).toEqual(['.bootcde']);
      expect(repl.errors).toEqual([]);
      expect(repl.received()).toContain('require("Storage").write(".bootcde",');
      expect(lines).toEqual([
        `connecting to tcp://127.0.0.1:${repl.port}`,
        'board answered: Espruino 2v24',
        `uploading ${script.length} bytes to Storage ".bootcde" and the config to "tinyiot.json"`,
        'verifying',
        'done: the firmware runs now and at every power-up',
      ]);
    } finally {
      await repl.close();
    }
  }, 90000);

  it('says no board answered when the port takes the connection but stays silent', async () => {
    const repl = await startFakeRepl({ silent: true });
    try {
      await expect(flash({ script: scriptFile, bytes: script.length, board, port: `tcp://127.0.0.1:${repl.port}`, timeoutMs: 30000 })).rejects.toThrow(
        `no board answered on tcp://127.0.0.1:${repl.port} (no reply to the probe)`,
      );
      expect(repl.received()).not.toContain('Storage');
    } finally {
      await repl.close();
    }
  }, 60000);

  it('says the connection was refused when nothing listens', async () => {
    const port = await freePort();
    await expect(flash({ script: scriptFile, bytes: script.length, board, port: `tcp://127.0.0.1:${port}` })).rejects.toThrow(
      `cannot connect to tcp://127.0.0.1:${port}: ECONNREFUSED`,
    );
  }, 60000);

  it('checks the port before starting anything', () => {
    expect(() => checkPort('tcp://host')).toThrow('expected tcp://host:port');
    expect(() => checkPort('/dev/does-not-exist-tinyiot')).toThrow(/no such serial device/);
    expect(() => checkPort('tcp://127.0.0.1:23')).not.toThrow();
  });

  it('describes the board to EspruinoTools from the board file', () => {
    expect(toolsBoardJson(loadBoard('espruino-wifi'))).toMatchObject({
      BOARD: 'ESPRUINOWIFI',
      info: { name: 'Espruino WiFi', binary_version: '2v00', builtin_modules: expect.arrayContaining(['Storage', 'net', 'tls', 'crypto', 'Wifi']) },
      chip: { ram: 128, saved_code: { page_size: 1024, pages: 64 } },
    });
  });
});
