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

  it('imports the JS SHA-256 fallback only where crypto is "none", native SHA-256 elsewhere', () => {
    for (const b of listBoards()) {
      const src = generateEntry(app, b);
      const hasJs = imports(src).includes('jsCrypto crypto/index.ts');
      expect(hasJs, b.id).toBe(b.crypto === 'none');
      if (b.hal !== 'emulated') expect(imports(src).includes('nativeCrypto espruino/crypto.ts'), b.id).toBe(b.crypto === 'sha256');
    }
  });

  it('picks the transport from hal and the AT profile from modem.chip', () => {
    const wifi = generateEntry(app, loadBoard('espruino-wifi'));
    expect(imports(wifi)).toContain('esp8266 as profile at-modem/esp8266.ts');
    expect(imports(wifi)).toContain('atTransport at-modem/transport.ts');
    expect(imports(wifi)).toContain('atWifiJoin espruino/wifi-at.ts');
    expect(wifi).not.toContain('espruinoTransport');
    expect(wifi).toContain('modemUp(env, ["A13","A14"])');
    const rak = generateEntry(app, loadBoard('rak5010'));
    expect(imports(rak)).toContain('bg96 as profile at-modem/bg96.ts');
    expect(rak).not.toMatch(/wifiJoin|atWifiJoin/);
    const esp32 = generateEntry(app, loadBoard('esp32'));
    expect(imports(esp32)).toContain('espruinoTransport espruino/transport.ts');
    expect(imports(esp32)).toContain('wifiJoin espruino/wifi.ts');
    expect(esp32).not.toMatch(/at-modem/);
    const sim = generateEntry(app, loadBoard('emulator'));
    expect(sim).toContain('export function run(hal: Hal, cfg: AppConfig)');
    expect(sim).not.toMatch(/hal\/espruino|hal\/at-modem/);
  });

  it('carries the board limits and LED, and the insecure flag only when asked', () => {
    const b = loadBoard('esp8266');
    const src = generateEntry(app, b, { insecureDev: true });
    expect(src).toContain('"limits":{"maxPacket":1024,"inflight":2,"queueBytes":1024');
    expect(src).toContain('"led":"D2"');
    expect(src).toContain('"insecure":1');
    expect(generateEntry(app, b)).not.toContain('insecure');
  });

  it('boot line hands over Espruino globals, and the modem UART where the board has one', () => {
    expect(bootLine(loadBoard('esp32'), 'tinyiot')).toBe(
      'tinyiot.run({require:require,getTime:getTime,setTimeout:setTimeout,clearTimeout:clearTimeout,E:E,digitalWrite:digitalWrite,digitalRead:digitalRead,analogRead:analogRead,print:print});',
    );
    expect(bootLine(loadBoard('rak5010'), 'x')).toMatch(/,serial:Serial1\}\);$/);
  });
});
