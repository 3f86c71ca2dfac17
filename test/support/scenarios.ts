// Integration scenarios shared by every real broker: our MQTT client (real clock, node:net/tls
// transport) against a broker started by the rig. Waits are bounded polls; nothing asserts timing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client, type ClientOptions } from '../../firmware/mqtt/index.js';
import { arrayLog, createEmulatedHal, nodeTransport, seeded, VirtualClock } from '../../hal/emulated/index.js';
import type { Clock } from '../../hal/types.js';
import type { Broker, BrokerOptions } from './brokers.js';
import { makePki, type Pki } from './certs.js';
import { sleep, until } from './wait.js';

export interface Probe {
  client: Client;
  /** Sockets the client has opened (connection attempts). */
  dials: number;
  /** sessionPresent of each CONNACK accepted, in order. */
  connects: boolean[];
  errors: string[];
  closes: string[];
  messages: { topic: string; text: string; qos: number; dup: boolean }[];
}

// Short backoff so a restarted broker is found again quickly; ackTimeout bounds a hung handshake.
const fast = { backoffMin: 50, backoffMax: 500, ackTimeout: 5000 };
let seq = 0;

/** A client of ours on `port`; `clock` (default real time) drives its timers. */
export function probe(port: number, opts: Partial<ClientOptions> = {}, clock?: Clock): Probe {
  const id = `tinyiot-${process.pid}-${++seq}`;
  const real = nodeTransport();
  const transport = { connect: (...a: Parameters<typeof real.connect>) => (p.dials++, real.connect(...a)) };
  const hal = createEmulatedHal({ log: arrayLog(), random: seeded(seq), transport, ...(clock ? { clock } : {}) });
  const client = createClient(hal, { host: '127.0.0.1', port, tls: false, clientId: id, clean: true, limits: fast, ...opts });
  const p: Probe = { client, dials: 0, connects: [], errors: [], closes: [], messages: [] };
  client.on('connect', (sp) => p.connects.push(sp));
  client.on('error', (m) => p.errors.push(m));
  client.on('close', (r) => p.closes.push(r));
  client.on('message', (topic, payload, pk) => p.messages.push({ topic, text: Buffer.from(payload).toString(), qos: pk.qos, dup: pk.dup }));
  client.connect();
  return p;
}

function subscribe(c: Client, topic: string, qos: 0 | 1 | 2): Promise<number[]> {
  return new Promise((resolve, reject) => c.subscribe([{ topic, qos }], (err, codes) => (err ? reject(new Error(err)) : resolve(codes))));
}

export function brokerScenarios(start: (o: BrokerOptions) => Promise<Broker>): void {
  let pki: Pki;
  beforeAll(async () => {
    pki = await makePki();
  });
  afterAll(() => pki?.cleanup());
  const tlsFiles = () => ({ certPath: pki.server.certPath, keyPath: pki.server.keyPath, caPath: pki.ca.certPath });

  describe('plain TCP', () => {
    let broker: Broker;
    beforeAll(async () => {
      broker = await start({});
    });
    afterAll(() => broker?.stop());

    it('connects, subscribes and gets its own QoS 0, 1 and 2 messages back', async () => {
      const p = probe(broker.port);
      await until(() => p.connects.length === 1, 'CONNACK');
      expect(p.connects).toEqual([false]);
      expect(await subscribe(p.client, 'tinyiot/self/+', 2)).toEqual([2]);
      const acks: string[] = [];
      for (const qos of [0, 1, 2] as const) {
        p.client.publish(`tinyiot/self/q${qos}`, `payload ${qos}`, { qos }, (err) => acks.push(err ?? `ok ${qos}`));
      }
      await until(() => p.messages.length === 3 && acks.length === 3, 'three messages and three acks');
      expect(acks.sort()).toEqual(['ok 0', 'ok 1', 'ok 2']);
      const got = p.messages.map((m) => `${m.topic} ${m.text} qos${m.qos}`).sort();
      expect(got).toEqual(['tinyiot/self/q0 payload 0 qos0', 'tinyiot/self/q1 payload 1 qos1', 'tinyiot/self/q2 payload 2 qos2']);
      expect(p.errors).toEqual([]);
      p.client.end();
      expect(p.client.connected).toBe(false);
    });

    it('carries a large binary payload intact', async () => {
      const p = probe(broker.port, { limits: { ...fast, maxPacket: 70_000, queueBytes: 70_000 } });
      await until(() => p.connects.length === 1, 'CONNACK');
      await subscribe(p.client, 'tinyiot/big', 1);
      const body = Uint8Array.from({ length: 60_000 }, (_, i) => (i * 7) & 0xff);
      let got: Uint8Array | undefined;
      p.client.on('message', (_t, payload) => (got = payload));
      p.client.publish('tinyiot/big', body, { qos: 1 });
      await until(() => got !== undefined, 'the large message');
      expect(Buffer.from(got!).equals(Buffer.from(body))).toBe(true);
      p.client.end();
    });
  });

  describe('TLS', () => {
    let broker: Broker;
    beforeAll(async () => {
      broker = await start({ tls: tlsFiles() });
    });
    afterAll(() => broker?.stop());

    it('connects when it trusts the broker CA', async () => {
      const p = probe(broker.port, { tls: true, ca: pki.ca.cert });
      await until(() => p.connects.length === 1, 'CONNACK over TLS');
      await subscribe(p.client, 'tinyiot/tls', 1);
      p.client.publish('tinyiot/tls', 'over tls', { qos: 1 });
      await until(() => p.messages.length === 1, 'the message over TLS');
      expect(p.messages[0]!.text).toBe('over tls');
      expect(p.errors).toEqual([]);
      p.client.end();
    });

    it('refuses a broker signed by another CA: an error naming the certificate, never a connect', async ({ annotate }) => {
      // Its timers on a virtual clock: after the failure, moving time on shows that it never tries again.
      const vc = new VirtualClock();
      const p = probe(broker.port, { tls: true, ca: pki.otherCa.cert, reconnect: false }, vc);
      await until(() => p.closes.length === 1, 'the failed connection to close');
      expect(p.errors).toHaveLength(1);
      await annotate(p.errors[0]!);
      expect(p.errors[0]).toMatch(/certificate/i);
      expect(p.errors[0]).toMatch(/self[- ]signed|unable to (verify|get local issuer)/i);
      vc.advance(fast.backoffMax * 20);
      expect(p.dials).toBe(1);
      expect(p.connects).toEqual([]);
      expect(p.client.connected).toBe(false);
    });
  });

  describe('persistent session across a broker crash', () => {
    let broker: Broker;
    beforeAll(async () => {
      broker = await start({});
    });
    afterAll(() => broker?.stop());

    it('delivers every QoS 1 message of a stream while the broker is killed and restarted', async ({ annotate }) => {
      const N = 200;
      const topic = `tinyiot/stream/${process.pid}`;
      const sub = probe(broker.port, { clean: false, keepalive: 5 });
      await until(() => sub.connects.length === 1, 'subscriber CONNACK');
      await subscribe(sub.client, topic, 1);
      const pub = probe(broker.port, { clean: false, keepalive: 5 });
      await until(() => pub.connects.length === 1, 'publisher CONNACK');

      const acked: string[] = [];
      let crash: Promise<void> | undefined;
      for (let i = 1; i <= N; i++) {
        pub.client.publish(topic, String(i), { qos: 1 }, (err) => acked.push(err ?? 'ok'));
        // Mid-stream, the broker dies and comes back while the publisher keeps going.
        if (i === N / 2) crash = broker.restart('SIGKILL');
        if (i % 5 === 0) await sleep(2);
      }
      await crash;

      const count = new Map<number, number>();
      const tally = () => {
        count.clear();
        for (const m of sub.messages) count.set(Number(m.text), (count.get(Number(m.text)) ?? 0) + 1);
        return count.size;
      };
      await until(() => tally() === N && acked.length === N, `all ${N} messages (have ${tally()}, ${acked.length} acked)`, 30_000);

      const missing = Array.from({ length: N }, (_, i) => i + 1).filter((n) => !count.has(n));
      const duplicates = [...count.values()].reduce((a, n) => a + n - 1, 0);
      await annotate(`received ${sub.messages.length} deliveries for ${N} messages: ${duplicates} duplicates`);
      expect(missing).toEqual([]);
      expect([...count.keys()].every((n) => n >= 1 && n <= N)).toBe(true);
      expect(acked.every((a) => a === 'ok')).toBe(true);
      expect(sub.messages.every((m) => m.topic === topic && m.qos === 1)).toBe(true);
      // Both clients really lost the broker and came back to the session they had.
      expect(sub.connects.length).toBeGreaterThanOrEqual(2);
      expect(sub.connects.slice(1).every((sp) => sp)).toBe(true);
      expect(pub.connects.length).toBeGreaterThanOrEqual(2);
      sub.client.end();
      pub.client.end();
    }, 60_000);
  });
}
