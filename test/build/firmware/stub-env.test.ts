// The build's start-up stand-ins, run as the smoke check runs them: in QuickJS, in front of code.
import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { runInEngine } from '../../../build/es5-engines.js';
import { bootGlobals } from '../../../build/firmware/entry.js';
import { espruinoStub, halStub } from '../../../build/firmware/stub-env.js';
import { verifyEs5 } from '../../../build/verify.js';

const cfg = { host: 'broker.lan', port: 1883 };

async function run(prelude: string, script: string): Promise<string> {
  const r = await runInEngine(prelude, { engine: 'quickjs', script });
  expect(r.error).toBeUndefined();
  return r.output.trim();
}

describe('espruinoStub', () => {
  const esp32 = loadBoard('esp32');

  it('is plain ES5 apart from the timer globals a board has', () => {
    expect(verifyEs5(espruinoStub(esp32, cfg), { allowGlobals: bootGlobals })).toEqual([]);
  });

  it('Storage.readJSON("tinyiot.json") gives the config under test, other files nothing', async () => {
    const out = await run(espruinoStub(esp32, cfg), `var S = require('Storage'); print(JSON.stringify(S.readJSON('tinyiot.json', 1))); print(S.readJSON('x', 1)); print(S.list().length);`);
    expect(out.split('\n')).toEqual(['{"host":"broker.lan","port":1883}', 'undefined', '0']);
  });

  it('sockets take handlers and writes, and nothing ever happens; timers count up and never fire', async () => {
    const out = await run(
      espruinoStub(esp32, cfg),
      `var fired = 0; var s = require('tls').connect({}, function () { fired++; }); s.on('data', function () { fired++; }); s.write('x'); s.end();
       var a = setTimeout(function () { fired++; }, 0), b = setTimeout(function () {}, 5); clearTimeout(a);
       print(fired + ' ' + (b - a) + ' ' + typeof require('net').connect + ' ' + require('crypto').SHA256('x').byteLength);`,
    );
    expect(out).toBe('0 1 function 32');
  });

  it('an unknown module throws as on Espruino', async () => {
    const r = await runInEngine(espruinoStub(esp32, cfg), { engine: 'quickjs', script: `require('http');` });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/Module http not found/);
  });

  it("defines the modem's UART only on a board with a modem", async () => {
    const wifi = loadBoard('espruino-wifi');
    const serial = wifi.modem!.serial;
    expect(await run(espruinoStub(wifi, cfg), `print(typeof ${serial}.setup + typeof ${serial}.write + typeof ${serial}.on);`)).toBe('functionfunctionfunction');
    expect(await run(espruinoStub(esp32, cfg), `print(typeof ${serial});`)).toBe('undefined');
  });
});

describe('halStub', () => {
  it('is plain ES5', () => {
    expect(verifyEs5(halStub(cfg))).toEqual([]);
  });

  it('gives __hal every part of the HAL contract and __cfg the config; log info and up reach print', async () => {
    const out = await run(
      halStub(cfg),
      `var k = []; for (var p in __hal) k.push(p); print(k.join(','));
       print(__cfg.host + ' ' + __hal.clock.time() + ' ' + __hal.crypto.hmacSha256(new Uint8Array(1), new Uint8Array(1)).length);
       var s = __hal.transport.connect({ host: 'h', port: 1, tls: true }, {}); s.write(new Uint8Array(1)); s.close();
       print(__hal.clock.setTimer(10, function () { print('fired'); }) + ' ' + __hal.io.sense('temp') + ' ' + __hal.storage.read('k'));
       __hal.log.debug('quiet'); __hal.log.info('i'); __hal.log.warn('w'); __hal.log.error('e');`,
    );
    expect(out.split('\n')).toEqual(['clock,transport,storage,crypto,log,io,random', 'broker.lan 1700000000 32', '1 21.5 undefined', 'info: i', 'warn: w', 'error: e']);
  });
});

describe('espruinoStandIns', () => {
  it("shadows the globals a board's boot line passes that the host cannot be, a modem's UART too; plain ES5", async () => {
    const { espruinoStandIns } = await import('../../../build/firmware/stub-env.js');
    const esp32 = espruinoStandIns(loadBoard('esp32'));
    const wifi = espruinoStandIns(loadBoard('espruino-wifi'));
    expect(esp32.params).toEqual(['require', 'digitalWrite', 'digitalRead', 'analogRead']);
    expect(wifi.params).toEqual([...esp32.params, loadBoard('espruino-wifi').modem!.serial]);
    expect(wifi.args).toHaveLength(wifi.params.length);
    expect(verifyEs5(wifi.setup)).toEqual([]);
  });
});
