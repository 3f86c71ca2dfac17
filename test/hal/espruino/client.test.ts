// Integration: the MQTT client (firmware/mqtt) on the Espruino HAL, whose net/tls are the fakes
// bridged to real sockets, against real brokers: aedes and mosquitto, over TLS with the test CA.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ClientOptions } from '../../../firmware/mqtt/index.js';
import { createEspruinoHal, espruinoIo, nativeCrypto, type EspruinoBoard } from '../../../hal/espruino/index.js';
import { seeded } from '../../../hal/emulated/random.js';
import { requireBinary } from '../../support/binary.js';
import { startAedes, startMosquitto, type Broker, type BrokerOptions } from '../../support/brokers.js';
import { makePki, type Pki } from '../../support/certs.js';
import { fakeEspruino, type FakeNetOptions } from '../../support/espruino-fakes/index.js';
import { until } from '../../support/wait.js';

const esp32: EspruinoBoard & { limits: ClientOptions['limits'] } = JSON.parse(readFileSync(new URL('../../../boards/esp32.json', import.meta.url), 'utf8'));
let seq = 0;

function device(port: number, net: FakeNetOptions, opts: Partial<ClientOptions>) {
  const b = fakeEspruino({ net });
  const hal = createEspruinoHal(b.env, esp32, { crypto: nativeCrypto, io: espruinoIo });
  const c = createClient(hal, { host: '127.0.0.1', port, tls: true, clientId: `espruino-${process.pid}-${++seq}`, clean: true, limits: esp32.limits, ...opts });
  const d = { b, c, errors: [] as string[], got: [] as { topic: string; payload: Uint8Array; qos: number }[] };
  c.on('error', (m) => d.errors.push(m));
  c.on('message', (topic, payload, p) => d.got.push({ topic, payload, qos: p.qos }));
  c.connect();
  return d;
}

function scenarios(name: string, start: (o: BrokerOptions) => Promise<Broker>) {
  describe(`MQTT client on the Espruino HAL vs ${name} over TLS`, () => {
    let pki: Pki;
    let broker: Broker;
    beforeAll(async () => {
      pki = await makePki();
      broker = await start({ tls: { certPath: pki.server.certPath, keyPath: pki.server.keyPath, caPath: pki.ca.certPath } });
    });
    afterAll(async () => {
      await broker?.stop();
      pki?.cleanup();
    });

    it.each([
      ['536-byte reads', {} as FakeNetOptions],
      ['random reads of 1-536 bytes, polled every 5 ms so small packets merge', { random: seeded(7), pollMs: 5 }],
    ])('connects, subscribes and gets a 5 KB QoS 1 message back (%s)', async (_n, net) => {
      const d = device(broker.port, net, { ca: pki.ca.cert });
      await until(() => d.c.connected, 'CONNACK over TLS');
      const codes: number[][] = [];
      d.c.subscribe([{ topic: 'tinyiot/espruino/+', qos: 1 }], (_e, k) => codes.push(k));
      await until(() => codes.length === 1, 'SUBACK');
      expect(codes).toEqual([[1]]);
      const body = Uint8Array.from({ length: 5 * 1024 }, (_, i) => (i * 31 + 7) & 0xff);
      const acks: (string | undefined)[] = [];
      d.c.publish('tinyiot/espruino/big', body, { qos: 1 }, (e) => acks.push(e));
      await until(() => d.got.length === 1 && acks.length === 1, 'PUBACK and the message');
      expect(acks).toEqual([undefined]);
      expect(d.got[0]!.topic).toBe('tinyiot/espruino/big');
      expect(d.got[0]!.qos).toBe(1);
      expect(Buffer.from(d.got[0]!.payload).equals(Buffer.from(body))).toBe(true);
      // The 5 KB came as byte strings of at most 536 bytes each.
      const ev = d.b.net.events;
      expect(Math.max(...ev)).toBeLessThanOrEqual(536);
      expect(ev.reduce((a, n) => a + n, 0)).toBeGreaterThan(body.length);
      expect(ev.length).toBeGreaterThanOrEqual(10);
      expect(d.errors).toEqual([]);
      // The CA was handed to Espruino as DER; Espruino does not check it, and the HAL said so.
      expect(String(d.b.net.connects[0]!.ca)).not.toContain('BEGIN');
      expect(d.b.printed.some((l) => /^warn: .*does not verify/.test(l))).toBe(true);
      d.c.end();
    });

    it('with verifying firmware and the wrong CA: an error, no connection, no crash', async () => {
      const d = device(broker.port, { verify: 'with-ca' }, { ca: pki.otherCa.cert, reconnect: false });
      await until(() => d.errors.length > 0, 'error');
      expect(d.errors[0]).toBe('SSL handshake failed');
      expect(d.c.connected).toBe(false);
      d.c.drop();
    });
  });
}

scenarios('aedes', startAedes);
describe.skipIf(requireBinary('mosquitto').missing)('mosquitto installed', () => scenarios('mosquitto', startMosquitto));
