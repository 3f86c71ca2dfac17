import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../firmware/mqtt/index.js';
import { realClock } from '../../../hal/emulated/clock.js';
import { netDialer } from '../../../hal/emulated/fake-modem-dial.js';
import { fakeEsp8266 } from '../../../hal/emulated/fake-modem-esp8266.js';
import { jsCrypto } from '../../../firmware/crypto/index.js';
import { bg96, esp8266 } from '../../../hal/at-modem/index.js';
import { atWifiJoin, createEspruinoModemHal, espruinoIo, nativeCrypto, type ModemBoard, type ModemParts } from '../../../hal/espruino/index.js';
import { startAedes, type Broker } from '../../support/brokers.js';
import { fakeEspruino } from '../../support/espruino-fakes/index.js';
import { until } from '../../support/wait.js';

const board = (id: string): ModemBoard => JSON.parse(readFileSync(new URL(`../../../boards/${id}.json`, import.meta.url), 'utf8'));
const wifiAt: ModemParts = { crypto: nativeCrypto, io: espruinoIo, profile: esp8266, wifi: atWifiJoin };

describe('createEspruinoModemHal', () => {
  it('Espruino WiFi: powers the ESP8266, sets Serial2 up from the board file, runs AT over it', async () => {
    const b = fakeEspruino();
    const hal = createEspruinoModemHal(b.env, board('espruino-wifi'), wifiAt);
    expect(b.pins.levels).toEqual({ A13: 1, A14: 1 });
    expect(b.serial.setups).toEqual([{ baud: 115200, opts: { rx: 'A3', tx: 'A2', cts: 'A15' } }]);
    hal.transport.connect({ host: '127.0.0.1', port: 1883, tls: false }, { onOpen() {}, onData() {}, onError() {}, onClose() {} });
    expect(b.serial.written).toBe('ATE0\r\n');
    expect(hal.wifi).toBeTypeOf('function');
  });

  it('RAK5010 (BG96, cellular): the profile given, no wifi()', async () => {
    const b = fakeEspruino();
    const rak: ModemParts = { crypto: jsCrypto, io: espruinoIo, profile: bg96 };
    const hal = createEspruinoModemHal(b.env, board('rak5010'), rak);
    expect(hal.wifi).toBeUndefined();
    hal.transport.connect({ host: 'h', port: 8883, tls: true }, { onOpen() {}, onData() {}, onError() {}, onClose() {} });
    b.serial.feed('\r\nOK\r\n');
    await until(() => b.serial.written.length > 6, 'the second command');
    expect(b.serial.written).toMatch(/^ATE0\r\nAT\+QSSLCFG="sslversion"/);
  });
});

describe('MQTT through the Espruino UART adapter and an ESP8266 running AT', () => {
  let broker: Broker;
  beforeAll(async () => {
    broker = await startAedes();
  });
  afterAll(() => broker?.stop());

  it('connects, subscribes and gets its QoS 1 message back', async () => {
    const b = fakeEspruino();
    const modem = fakeEsp8266({ clock: realClock(), dial: netDialer(), split: 40 });
    b.serial.onWrite((s) => modem.write(s));
    modem.onData((s) => b.serial.feed(s));
    const hal = createEspruinoModemHal(b.env, board('pico-esp8266'), wifiAt);
    const c = createClient(hal, { host: '127.0.0.1', port: broker.port, tls: false, clientId: 'esp-at-' + process.pid, clean: true });
    const got: string[] = [];
    const errors: string[] = [];
    c.on('message', (t, p) => got.push(t + ' ' + Buffer.from(p).toString()));
    c.on('error', (m) => errors.push(m));
    c.connect();
    await until(() => c.connected, 'CONNACK');
    const codes: number[][] = [];
    c.subscribe([{ topic: 'tinyiot/at/#', qos: 1 }], (_e, k) => codes.push(k));
    await until(() => codes.length === 1, 'SUBACK');
    c.publish('tinyiot/at/x', 'via the modem', { qos: 1 });
    await until(() => got.length === 1, 'message');
    expect(got).toEqual(['tinyiot/at/x via the modem']);
    expect(errors).toEqual([]);
    expect(modem.violations).toEqual([]);
    c.end();
  });
});
