// The built firmware of two real boards runs inside QuickJS (a separate ES5 engine) with its HAL
// bridged to real loopback sockets, against mosquitto over TLS: esp32 (hal/espruino over Espruino's
// net/tls, TLS native) and espruino-wifi (hal/at-modem with the ESP8266 profile over the Serial2
// UART, a FakeModem on the host that dials real sockets and runs the TLS). Each must connect,
// subscribe, send its QoS 1 state and take a QoS 1 command that switches its LED.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { buildFirmware } from '../../../build/firmware/pipeline.js';
import { bridge, pem } from '../../../build/firmware/qjs-bridge.js';
import { QjsHost } from '../../../build/firmware/qjs-host.js';
import { eventsShim, halShim } from '../../../build/firmware/qjs-shims.js';
import { VirtualClock } from '../../../hal/emulated/index.js';
import type { ConnectOptions, SocketHandlers } from '../../../hal/types.js';
import { arrayLog, createEmulatedHal, emulatedIo, realClock } from '../../../hal/emulated/index.js';
import { fakeEsp8266 } from '../../../hal/emulated/fake-modem-esp8266.js';
import { netDialer } from '../../../hal/emulated/fake-modem-dial.js';
import { requireBinary } from '../../support/binary.js';
import { type Broker, startMosquitto } from '../../support/brokers.js';
import { makePki, type Pki } from '../../support/certs.js';
import { runBoardFirmware } from '../../../build/firmware/qjs-espruino.js';

let pki: Pki;
const mosq = requireBinary('mosquitto');
let broker: Broker;
let out: string;

beforeAll(async () => {
  pki = await makePki();
  if (!mosq.missing) broker = await startMosquitto({ tls: { certPath: pki.server.certPath, keyPath: pki.server.keyPath, caPath: pki.ca.certPath } });
  out = mkdtempSync(join(tmpdir(), 'tinyiot-out-'));
}, 60000);

afterAll(async () => {
  await broker?.stop();
  pki?.cleanup();
  rmSync(out, { recursive: true, force: true });
});

function waitFor<T>(what: string, get: () => T | undefined, ms = 20000): Promise<T> {
  return new Promise((resolve, reject) => {
    const end = Date.now() + ms;
    const tick = () => {
      const v = get();
      if (v !== undefined) return resolve(v);
      if (Date.now() > end) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

async function session(boardId: string, modem: boolean) {
  const board = loadBoard(boardId);
  const built = await buildFirmware({ app: 'mqtt-blink', board: boardId, outDir: out });
  expect(built.error).toBeUndefined();
  const topic = `it/${boardId}`;
  const cfg = { host: '127.0.0.1', port: broker.port, tls: true, ca: pki.ca.cert, clientId: `fw-${boardId}`, topic, interval: 3600 };

  const peer = await mqtt.connectAsync(`mqtts://127.0.0.1:${broker.port}`, { ca: pki.ca.cert, clientId: `peer-${boardId}` });
  const states: { n: number; led: boolean }[] = [];
  peer.on('message', (_t, p) => states.push(JSON.parse(p.toString())));
  await peer.subscribeAsync(`${topic}/state`, { qos: 1 });

  const clock = realClock();
  const io = emulatedIo({ clock });
  const log = arrayLog('debug');
  const hal = createEmulatedHal({ clock, io, log });
  const serial = modem ? fakeEsp8266({ clock, dial: netDialer(), flash: { ca: pki.ca.cert } }) : undefined;
  const errors: string[] = [];
  const fw = await runBoardFirmware({ bundle: built.bundle!, board, cfg, hal, serial, onError: (m) => errors.push(m) });
  try {
    // The firmware publishes its state (QoS 1) once its SUBACK is in: connect and subscribe worked.
    const first = await waitFor('the first state', () => states[0]);
    expect(first).toEqual({ n: 0, led: false });
    await peer.publishAsync(`${topic}/cmd`, 'on', { qos: 1 });
    const lit = await waitFor('the state after the command', () => states.find((s) => s.led));
    expect(lit.n).toBeGreaterThanOrEqual(1);
    expect(io.pins[board.pins.led1!]).toBe(true);
    expect(log.lines.join('\n')).toContain('mqtt-blink: command "on", LED on');
    expect(errors).toEqual([]);
    if (serial) {
      expect(serial.violations).toEqual([]);
      expect(serial.commands.some((c) => c.startsWith('AT+CIPSTART="SSL","127.0.0.1"'))).toBe(true);
    }
    return { peak: fw.peak(), log: log.lines };
  } finally {
    fw.stop();
    await peer.endAsync();
  }
}

describe.skipIf(mosq.missing)('built firmware in QuickJS against mosquitto (TLS)', () => {
  it('esp32: hal/espruino over net/tls connects, subscribes, publishes and receives QoS 1', async () => {
    const r = await session('esp32', false);
    expect(r.peak).toBeGreaterThan(0);
    expect(r.log.join('\n')).toContain("TLS does not verify the server's certificate");
  }, 90000);

  it('espruino-wifi: hal/at-modem (ESP8266 AT over Serial2) does the same through a modem', async () => {
    const r = await session('espruino-wifi', true);
    expect(r.peak).toBeGreaterThan(0);
  }, 90000);
});

describe('bridge', () => {
  it('turns DER back into PEM that parses, also when the base64 fills its last line exactly', () => {
    for (const n of [45, 48, 49]) {
      const der = Buffer.alloc(n, 0xab).toString('latin1');
      const p = pem(der, 'CERTIFICATE')!;
      expect(p).not.toMatch(/\n\n/);
      const body = p.split('\n').slice(1, -2).join('');
      expect(Buffer.from(body, 'base64').toString('latin1')).toBe(der);
    }
    expect(pem('-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n', 'CERTIFICATE')).toContain('AA==');
    expect(pem(undefined, 'CERTIFICATE')).toBeUndefined();
  });

  it('carries bytes (NUL included), timers and socket events both ways, and cleans up on stop', async () => {
    const clock = new VirtualClock();
    const log = arrayLog('debug');
    let handlers: SocketHandlers | undefined;
    let opts: ConnectOptions | undefined;
    const written: number[][] = [];
    let closed = 0;
    const hal = createEmulatedHal({
      clock, log,
      transport: { connect: (o, h) => ((opts = o), (handlers = h), { write: (b) => written.push([...b]), close: () => closed++ }) },
    });
    const host = await QjsHost.create();
    const br = bridge(host, { hal });
    host.eval(eventsShim + halShim);
    host.eval(`
      var got = [];
      var s = __hal.transport.connect({ host: 'h', port: 1, tls: true }, {
        onOpen: function () { s.write(new Uint8Array([0, 1, 255, 0])); },
        onData: function (b) { got.push(b.length + ':' + b[0] + ',' + b[b.length - 1]); __hal.log.info('data ' + got.join(' ')); },
        onError: function (m) { __hal.log.warn('error ' + m); },
        onClose: function (r) { __hal.log.info('close ' + r); }
      });
      __hal.clock.setTimer(50, function () { __hal.log.info('timer at ' + __hal.clock.now()); });
      var never = __hal.clock.setTimer(60, function () { __hal.log.info('cleared timer ran'); });
      __hal.clock.clearTimer(never);
      __hal.clock.setTimer(5000, function () { __hal.log.info('late timer ran'); });
    `);
    expect(opts).toMatchObject({ host: 'h', port: 1, tls: true });
    handlers!.onOpen();
    expect(written).toEqual([[0, 1, 255, 0]]);
    handlers!.onData(new Uint8Array([0, 7, 0]));
    clock.advance(100);
    handlers!.onError('boom');
    handlers!.onClose('gone');
    expect(log.lines).toEqual(['info: data 3:0,0', 'info: timer at 50', 'warn: error boom', 'info: close gone']);
    host.eval('var s2 = __hal.transport.connect({ host: "h", port: 2, tls: false }, { onOpen: function () {}, onData: function () {}, onError: function () {}, onClose: function () {} });');
    expect(br.sockets()).toBe(1);
    br.stop();
    expect(closed).toBe(1);
    expect(clock.pending()).toBe(0);
    clock.advance(10000);
    expect(log.lines).not.toContain('info: late timer ran');
    host.dispose();
  });
});
