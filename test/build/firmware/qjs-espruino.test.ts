// The Espruino stand-ins in QuickJS: what a board's build finds there. The built firmware running on
// them against a broker is test/build/firmware/qjs-bridge.test.ts.
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { espruinoShim } from '../../../build/firmware/qjs-espruino.js';

describe('espruinoShim', () => {
  it("preloads the config as Storage's tinyiot.json", () => {
    const s = espruinoShim(loadBoard('esp32'), { host: 'h', interval: 2 });
    expect(s).toContain(`'tinyiot.json': ${JSON.stringify(JSON.stringify({ host: 'h', interval: 2 }))}`);
  });

  it("gives a board with a modem its UART by the board file's name, and a board without one none", () => {
    expect(espruinoShim(loadBoard('pico-esp8266'), {})).toMatch(/var Serial2 = \{ setup: .*__h_ser\(d\).*__serialRx = f/);
    expect(espruinoShim(loadBoard('esp32'), {})).not.toContain('__h_ser');
  });
});
