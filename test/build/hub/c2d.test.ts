import { readFileSync, writeFileSync } from 'node:fs';
import type { IPublishPacket } from 'mqtt-packet';
import { afterAll, describe, expect, it } from 'vitest';
import { decodePropertyBag } from '../../../firmware/iothub/propbag.js';
import { C2dQueue, c2dTopic } from '../../../build/hub/c2d.js';
import type { Hub } from '../../../build/hub/server.js';
import { realTime } from '../../../build/hub/conn.js';
import { until } from '../../support/wait.js';
import { rawDevice, startTestHub, subscribedDevice, tempDir } from './rig.js';

const C2D = (id: string) => `devices/${id}/messages/devicebound/#`;

describe('C2dQueue', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('keeps messages in order until acknowledged, across instances', () => {
    const path = `${tmp.dir}/q1.json`;
    const q = new C2dQueue(path);
    const a = q.enqueue('d', Buffer.from('a'), { k: 'v' });
    const b = q.enqueue('d', Buffer.from([0, 255]));
    expect(new C2dQueue(path).pending('d').map((m) => m.mid)).toEqual([a.mid, b.mid]);
    q.delivered('d', a.mid);
    expect(q.ack('d', a.mid)).toBe(true);
    expect(q.ack('d', a.mid)).toBe(false);
    const again = new C2dQueue(path).pending('d');
    expect(again.map((m) => Buffer.from(m.body, 'base64'))).toEqual([Buffer.from([0, 255])]);
  });

  it('drops and counts expired messages, with the default or a per-message ttl', () => {
    let now = 1_000_000;
    const expired: string[] = [];
    const q = new C2dQueue(`${tmp.dir}/q2.json`, { ttlMs: 1000, now: () => now, onExpired: (_, m) => expired.push(m.mid) });
    const short = q.enqueue('d', Buffer.from('1'));
    const long = q.enqueue('d', Buffer.from('2'), {}, 5000);
    now += 1000;
    expect(q.pending('d').map((m) => m.mid)).toEqual([long.mid]);
    now += 4000;
    q.sweep();
    expect(q.pending('d')).toEqual([]);
    expect(q.expired).toBe(2);
    expect(expired).toEqual([short.mid, long.mid]);
  });

  it('refuses a full queue, hub-owned system properties and a bad ttl', () => {
    const q = new C2dQueue(`${tmp.dir}/q3.json`, { maxPerDevice: 2 });
    q.enqueue('d', Buffer.from('1'), { '$.ct': 'text/plain', '$.cid': 'c' });
    q.enqueue('d', Buffer.from('2'));
    expect(() => q.enqueue('d', Buffer.from('3'))).toThrow(/full/);
    expect(() => q.enqueue('e', Buffer.from('x'), { '$.mid': 'mine' })).toThrow(/'\$\.mid'/);
    expect(() => q.enqueue('e', Buffer.from('x'), { '': 'v' })).toThrow(/empty/);
    expect(() => q.enqueue('e', Buffer.from('x'), {}, 0)).toThrow(/ttl/);
    q.purge('d');
    expect(q.pending('d')).toEqual([]);
  });

  it('puts id, destination, expiry and properties in the topic', () => {
    const q = new C2dQueue(`${tmp.dir}/q4.json`, { now: () => Date.UTC(2030, 0, 1) });
    const m = q.enqueue('dev-1', Buffer.from('x'), { '$.ct': 'application/json', 'my key': 'a&b=c' }, 60_000);
    const t = c2dTopic('dev-1', m);
    expect(t.startsWith('devices/dev-1/messages/devicebound/%24.mid=')).toBe(true);
    expect(decodePropertyBag(t.slice('devices/dev-1/messages/devicebound/'.length))).toEqual({
      '$.mid': m.mid,
      '$.to': '/devices/dev-1/messages/devicebound',
      '$.exp': '2030-01-01T00:01:00.000Z',
      '$.ct': 'application/json',
      'my key': 'a&b=c',
    });
  });
});

describe('cloud-to-device over MQTT', () => {
  const tmp = tempDir();
  let hub: Hub;
  afterAll(async () => {
    await hub.stop();
    tmp.cleanup();
  });

  const pub = (d: { next: (f: (p: import('mqtt-packet').Packet) => boolean, w: string) => Promise<unknown> }) =>
    d.next((p) => p.cmd === 'publish', 'a C2D message') as Promise<IPublishPacket>;

  it('delivers at QoS 1 with properties, one at a time, and removes on PUBACK', async () => {
    hub = await startTestHub(tmp.dir);
    hub.registry.add('c1');
    const m1 = hub.sendC2d('c1', Buffer.from('first'), { color: 'red' });
    const m2 = hub.sendC2d('c1', Buffer.from('second'));
    const d = await subscribedDevice(hub, 'c1', [C2D('c1')]);
    const p1 = await pub(d);
    expect(p1.qos).toBe(1);
    expect(p1.dup).toBe(false);
    expect(p1.payload.toString()).toBe('first');
    const bag = decodePropertyBag(p1.topic.slice('devices/c1/messages/devicebound/'.length))!;
    expect(bag['$.mid']).toBe(m1.mid);
    expect(bag.color).toBe('red');
    // The second waits for the first to be acknowledged: had the hub sent it, it would have come
    // before the answer to a PINGREQ sent now.
    d.send({ cmd: 'pingreq' });
    await d.next((p) => p.cmd === 'pingresp', 'PINGRESP');
    expect(d.publishes()).toHaveLength(1);
    d.send({ cmd: 'puback', messageId: p1.messageId! });
    const p2 = await pub(d);
    expect(p2.payload.toString()).toBe('second');
    d.send({ cmd: 'puback', messageId: p2.messageId! });
    await until(() => hub.c2d.pending('c1').length === 0, 'the queue to empty');
    expect(m2.mid).not.toBe(m1.mid);
    d.end();
  });

  it('redelivers an unacknowledged message on reconnect, with DUP, until it is acknowledged', async () => {
    hub.registry.add('c2');
    const m = hub.sendC2d('c2', Buffer.from('important'));
    const d1 = await subscribedDevice(hub, 'c2', [C2D('c2')]);
    const first = await pub(d1);
    d1.end();
    await until(() => !hub.connected('c2'), 'the hub to see the drop');
    const d2 = await subscribedDevice(hub, 'c2', [C2D('c2')]);
    const again = await pub(d2);
    expect(again.dup).toBe(true);
    expect(again.topic).toBe(first.topic);
    expect(hub.c2d.pending('c2').map((x) => x.mid)).toEqual([m.mid]);
    d2.send({ cmd: 'puback', messageId: again.messageId! });
    await until(() => hub.c2d.pending('c2').length === 0, 'the ack to remove it');
    d2.end();
  });

  it('keeps the queue across a hub restart', async () => {
    hub.registry.add('c3');
    const m = hub.sendC2d('c3', Buffer.from('after restart'), { n: '1' });
    await hub.stop();
    hub = await startTestHub(tmp.dir);
    const d = await subscribedDevice(hub, 'c3', [C2D('c3')]);
    const p = await pub(d);
    expect(p.payload.toString()).toBe('after restart');
    expect(decodePropertyBag(p.topic.split('/').pop()!)!['$.mid']).toBe(m.mid);
    d.send({ cmd: 'puback', messageId: p.messageId! });
    await until(() => hub.c2d.pending('c3').length === 0, 'the ack');
    d.end();
  });

  it('drops expired messages instead of delivering them (time moved by the hub clock, not waited for)', async () => {
    const own = tempDir();
    let skew = 0;
    const skewed = await startTestHub(own.dir, { clock: { ...realTime, now: () => Date.now() + skew } });
    try {
      skewed.registry.add('c4');
      skewed.sendC2d('c4', Buffer.from('stale'), {}, 30_000);
      const fresh = skewed.sendC2d('c4', Buffer.from('fresh'), {}, 60_000);
      skew = 30_000;
      const d = await subscribedDevice(skewed, 'c4', [C2D('c4')]);
      const p = await pub(d);
      expect(p.payload.toString()).toBe('fresh');
      expect(p.topic).toContain(fresh.mid);
      expect(skewed.c2d.expired).toBe(1);
      d.end();
    } finally {
      await skewed.stop();
      own.cleanup();
    }
  });

  it('sends at QoS 0 to a QoS 0 subscription and counts that as delivered', async () => {
    hub.registry.add('c5');
    hub.sendC2d('c5', Buffer.from('a'));
    hub.sendC2d('c5', Buffer.from('b'));
    const d = rawDevice(hub, 'c5');
    expect(await d.connack()).toBe(0);
    d.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: C2D('c5'), qos: 0 }] });
    await until(() => d.publishes().length === 2, 'both messages');
    expect(d.publishes().map((p) => [p.qos, p.payload.toString()])).toEqual([[0, 'a'], [0, 'b']]);
    expect(hub.c2d.pending('c5')).toEqual([]);
    d.end();
  });

  it('refuses messages for unknown devices', () => {
    expect(() => hub.sendC2d('nobody', Buffer.from('x'))).toThrow(/unknown device/);
  });
});

describe('what may be queued', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('refuses, queueing nothing, what could not be delivered: __proto__, lone surrogates, a ttl past 2 days, a body past 64 KB', () => {
    const q = new C2dQueue(`${tmp.dir}/limits.json`);
    expect(() => q.enqueue('d', Buffer.from('x'), JSON.parse('{"__proto__":"x"}'))).toThrow("property name '__proto__' is not allowed");
    expect(() => q.enqueue('d', Buffer.from('x'), { k: 'a\ud800' })).toThrow(/property 'k' holds a lone UTF-16 surrogate/);
    expect(() => q.enqueue('d', Buffer.from('x'), { ['\udfff']: 'v' })).toThrow(/lone UTF-16 surrogate/);
    expect(() => q.enqueue('d', Buffer.from('x'), {}, 1e16)).toThrow(/at most 172800 s/);
    expect(() => q.enqueue('d', Buffer.alloc(64 * 1024 + 1))).toThrow(/at most 65536 bytes/);
    expect(() => q.enqueue('d', Buffer.from('x'), { k: 'v'.repeat(70_000) })).toThrow(/longer than 65535 bytes/);
    expect(q.pending('d')).toEqual([]);
    // A surrogate pair is a character like any other; 2 days and 64 KB exactly are allowed.
    expect(q.enqueue('d', Buffer.alloc(64 * 1024), { k: '\ud83d\ude00' }, 2 * 86_400_000).props).toEqual({ k: '😀' });
    expect(() => new C2dQueue(`${tmp.dir}/x.json`, { ttlMs: 3 * 86_400_000 })).toThrow(/default ttl/);
  });

  it('keeps device ids that are names of Object.prototype apart', () => {
    const q = new C2dQueue(`${tmp.dir}/ids.json`);
    for (const id of ['__proto__', 'constructor', 'toString']) q.enqueue(id, Buffer.from(id));
    const again = new C2dQueue(`${tmp.dir}/ids.json`);
    for (const id of ['__proto__', 'constructor', 'toString']) expect(again.pending(id).map((m) => Buffer.from(m.body, 'base64').toString())).toEqual([id]);
    expect(again.pending('valueOf')).toEqual([]);
  });

  it('drops stored messages it could not send, and says why', () => {
    const path = `${tmp.dir}/old.json`;
    const m = { mid: 'm', body: 'eA==', props: {}, expires: Date.now() + 1000, deliveries: 0 };
    writeFileSync(path, JSON.stringify({ d: [{ ...m, props: JSON.parse('{"__proto__":"x"}') }, { ...m, expires: 1e20 }, 'junk', { ...m, mid: 'ok' }] }));
    const why: string[] = [];
    const q = new C2dQueue(path, { onInvalid: (_, r) => why.push(r) });
    expect(q.pending('d').map((x) => x.mid)).toEqual(['ok']);
    expect(why).toEqual(["property name '__proto__' is not allowed", 'expiry out of range', 'not a queued message']);
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')).d)).toHaveLength(1);
  });
});
