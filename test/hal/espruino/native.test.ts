import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsCrypto } from '../../../firmware/crypto/index.js';
import { createEspruinoHal, espruinoIo, nativeCrypto, wifiJoin, type EspruinoBoard } from '../../../hal/espruino/index.js';
import { fakeEspruino } from '../../support/espruino-fakes/index.js';
import { until } from '../../support/wait.js';

const board = (id: string): EspruinoBoard => JSON.parse(readFileSync(new URL(`../../../boards/${id}.json`, import.meta.url), 'utf8'));
const hmac = (k: string, m: string) => createHmac('sha256', Buffer.from(k)).update(m).digest('hex');
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const enc = (s: string) => new TextEncoder().encode(s);

describe('createEspruinoHal (Espruino\'s own net/tls)', () => {
  it('ESP32: native SHA-256 under the HMAC, WiFi join, Storage, pins from the board file', async () => {
    const b = fakeEspruino({ wifi: { ssid: 'lab', password: 'pw' } });
    const crypto = b.env.require('crypto');
    let calls = 0;
    const sha = crypto.SHA256;
    crypto.SHA256 = (m: unknown) => (calls++, sha(m));
    const hal = createEspruinoHal(b.env, board('esp32'), { crypto: nativeCrypto, io: espruinoIo, wifi: wifiJoin });
    expect(hex(hal.crypto.hmacSha256(enc('key'), enc('msg')))).toBe(hmac('key', 'msg'));
    expect(calls).toBe(2);
    hal.storage.write('k', 'v');
    expect(b.storage.read('k')).toBe('v');
    hal.io.write('led1', true);
    expect(b.pins.levels).toEqual({ D2: 1 });
    expect(hal.clock.time()).toBe(0);
    b.time.setTime(1_763_000_000);
    expect(hal.clock.time()).toBe(1_763_000_000);
    const r: (string | undefined)[] = [];
    hal.wifi!('lab', 'pw', (e) => r.push(e));
    await until(() => r.length > 0, 'wifi');
    expect(r).toEqual([undefined]);
    expect(hal.random()).toBeGreaterThanOrEqual(0);
  });

  it('ESP8266 (crypto "none"): the pure-JS SHA-256, and no TLS module', async () => {
    const b = fakeEspruino({ crypto: false, tls: false });
    const hal = createEspruinoHal(b.env, board('esp8266'), { crypto: jsCrypto, io: espruinoIo, wifi: wifiJoin });
    expect(hex(hal.crypto.hmacSha256(enc('k2'), enc('m2')))).toBe(hmac('k2', 'm2'));
    expect(hal.wifi).toBeTypeOf('function');
    const ev: string[] = [];
    hal.transport.connect(
      { host: '127.0.0.1', port: 8883, tls: true },
      { onOpen: () => ev.push('open'), onData: () => {}, onError: (m) => ev.push('error ' + m), onClose: (m) => ev.push('close ' + m) },
    );
    await until(() => ev.length === 2, 'error and close');
    expect(ev).toEqual(['error Module tls not found', 'close Module tls not found']);
  });

  it('logs through env.print, or the log given; wifi() only with a join part', () => {
    const b = fakeEspruino();
    const hal = createEspruinoHal(b.env, board('linux'), { crypto: nativeCrypto, io: espruinoIo });
    expect(hal.wifi).toBeUndefined();
    const lines: string[] = [];
    const log = { debug() {}, info: (m: string) => lines.push(m), warn() {}, error() {} };
    createEspruinoHal(b.env, board('linux'), { crypto: nativeCrypto, io: espruinoIo, log }).log.info('to the given log');
    expect(lines).toEqual(['to the given log']);
    hal.log.info('hello');
    hal.log.debug('hidden');
    expect(b.printed).toEqual(['info: hello']);
  });
});
