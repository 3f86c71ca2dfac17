// Entries are made from board data: two boards with the same fields but different ids get the same
// code, and each field value picks its import.
import { describe, expect, it } from 'vitest';
import { type Board, listBoards, loadBoard } from '../../../build/boards.js';
import { loadApp } from '../../../build/firmware/apps.js';
import { bootLine, generateEntry } from '../../../build/firmware/entry.js';

const app = loadApp('mqtt-blink');
const imports = (src: string) => [...src.matchAll(/^import (?:type )?\{ ([^}]+) \} from "[^"]*\/([^/"]+\/[^/"]+)"/gm)].map((m) => `${m[1]!.trim()} ${m[2]}`);

describe('generateEntry', () => {
  it('depends on the board fields, not the board id', () => {
    for (const b of listBoards()) {
      const twin: Board = { ...b, id: 'twin-board', name: 'Twin' };
      expect(generateEntry(app, twin).replaceAll('twin-board', b.id)).toBe(generateEntry(app, b));
    }
  });

  it('gives a board with a gateway link the link HAL over its serial device, and no network module', () => {
    const puck = loadBoard('puckjs');
    const src = generateEntry(app, puck);
    expect(imports(src)).toContain('createEspruinoLinkHal espruino/link.ts');
    expect(src).not.toMatch(/createEspruinoHal|createEspruinoModemHal/);
    expect(src).toContain('"link":{"serial":"Bluetooth"}');
    expect(bootLine(puck, 'x')).toContain('serial:Bluetooth');
  });

  it('imports the JS SHA-256 fallback only where crypto is "none", native SHA-256 elsewhere', () => {
    for (const b of listBoards()) {
      const src = generateEntry(app, b);
      const hasJs = imports(src).includes('jsCrypto crypto/index.ts');
      expect(hasJs, b.id).toBe(b.crypto === 'none');
      if (b.hal !== 'emulated') expect(imports(src).includes('nativeCrypto espruino/crypto.ts'), b.id).toBe(b.crypto === 'sha256');
    }
  });

  it('assembles the HAL with the factory its hal names, given the parts the board picks', () => {
    const wifi = generateEntry(app, loadBoard('espruino-wifi'));
    expect(imports(wifi)).toContain('createEspruinoModemHal espruino/modem.ts');
    expect(imports(wifi)).toContain('esp8266 at-modem/esp8266.ts');
    expect(imports(wifi)).toContain('atWifiJoin espruino/wifi-at.ts');
    expect(wifi).not.toMatch(/createEspruinoHal|espruino\/transport/);
    expect(wifi).toContain('{ crypto: nativeCrypto, io: espruinoIo, profile: esp8266, wifi: atWifiJoin }');
    // The modem's UART speed and pins reach the factory as the board file has them.
    expect(wifi).toContain('"modemEnable":"A14","modemBoot":"A13"},"modem":{"baud":115200}}');
    const rak = generateEntry(app, loadBoard('rak5010'));
    expect(imports(rak)).toContain('bg96 at-modem/bg96.ts');
    expect(rak).not.toMatch(/wifiJoin|atWifiJoin/);
    const esp32 = generateEntry(app, loadBoard('esp32'));
    expect(imports(esp32)).toContain('createEspruinoHal espruino/native.ts');
    expect(imports(esp32)).toContain('wifiJoin espruino/wifi.ts');
    expect(esp32).toContain('createEspruinoHal(env, {"pins":{"led1":"D2","led2":null,"button":"D0"}}, { crypto: nativeCrypto, io: espruinoIo, wifi: wifiJoin })');
    expect(esp32).not.toMatch(/at-modem|profile/);
    expect(rak).toContain('{ crypto: jsCrypto, io: espruinoIo, profile: bg96 })');
    expect(generateEntry(app, loadBoard('linux'))).toContain('{ crypto: nativeCrypto, io: espruinoIo })');
    const sim = generateEntry(app, loadBoard('emulator'));
    expect(sim).toContain('export function run(hal: Hal, cfg: AppConfig)');
    expect(sim).not.toMatch(/hal\/espruino|hal\/at-modem/);
  });

  it('simHost swaps the board pins for the host\'s and hands the global object over; not for the emulated HAL', () => {
    for (const id of ['esp32', 'espruino-wifi']) {
      const src = generateEntry(app, loadBoard(id), { simHost: true });
      expect(imports(src)).toContain('hostIo espruino/host-io.ts');
      expect(src).toContain('io: hostIo');
      expect(src).not.toContain('espruinoIo');
      expect(bootLine(loadBoard(id), 't', { simHost: true })).toMatch(/,global:this\}\);$/);
    }
    expect(bootLine(loadBoard('esp32'), 't')).not.toContain('global');
    expect(generateEntry(app, loadBoard('esp32'))).not.toContain('hostIo');
    expect(() => generateEntry(app, loadBoard('emulator'), { simHost: true })).toThrow(/hal is "emulated"/);
  });

  it('carries the board limits and LED, and the insecure flag only when asked', () => {
    const b = loadBoard('esp8266');
    const src = generateEntry(app, b, { insecureDev: true });
    expect(src).toContain('"limits":{"maxPacket":1024,"inflight":2,"queueBytes":1024');
    expect(src).toContain('"led":"D2"');
    expect(src).toContain('start(main, hal, insecureDev(hal, cfg || readConfig(env)), {');
    expect(generateEntry(app, b)).not.toContain('insecure');
    expect(generateEntry(app, loadBoard('emulator'), { insecureDev: true })).toContain('start(main, hal, insecureDev(hal, cfg), {');
  });

  it('boot line hands over Espruino globals, and the modem UART where the board has one', () => {
    expect(bootLine(loadBoard('esp32'), 'tinyiot')).toBe(
      'tinyiot.run({require:require,getTime:getTime,setTimeout:setTimeout,clearTimeout:clearTimeout,E:E,digitalWrite:digitalWrite,digitalRead:digitalRead,analogRead:analogRead,print:print});',
    );
    expect(bootLine(loadBoard('rak5010'), 'x')).toMatch(/,serial:Serial1\}\);$/);
  });
});
