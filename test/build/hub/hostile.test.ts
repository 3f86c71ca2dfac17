// The hub attacked by a hostile device and a hostile service caller (issue 9, items 1-5, 7, 8),
// each attack followed by a legitimate device that must still be served in full: CONNACK 0, its
// own twin, a cloud-to-device message delivered and acknowledged.
import { writeFileSync } from 'node:fs';
import type { IPublishPacket, Packet } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub, TelemetryEvent } from '../../../build/hub/server.js';
import { serviceToken } from '../../../build/hub/servicekey.js';
import { until } from '../../support/wait.js';
import { type RawDevice, rawDevice, startTestHub, subscribedDevice, tempDir } from './rig.js';

const C2D = (id: string) => `devices/${id}/messages/devicebound/#`;
const TWIN_RES = '$iothub/twin/res/#';
const isPublish = (p: Packet): p is IPublishPacket => p.cmd === 'publish';

let rid = 0;
/** Publishes a reported patch (raw text) and returns the status of the hub's reply. */
async function patchReported(d: RawDevice, body: string): Promise<number> {
  const r = `p${++rid}`;
  d.send({ cmd: 'publish', topic: `$iothub/twin/PATCH/properties/reported/?$rid=${r}`, payload: Buffer.from(body), qos: 0, dup: false, retain: false });
  const res = await d.next<IPublishPacket>((p) => isPublish(p) && p.topic.includes(`rid=${r}`), `the reply to patch ${r}`);
  return Number(/^\$iothub\/twin\/res\/(\d+)\//.exec(res.topic)![1]);
}

async function getTwin(d: RawDevice): Promise<unknown> {
  const r = `g${++rid}`;
  d.send({ cmd: 'publish', topic: `$iothub/twin/GET/?$rid=${r}`, payload: Buffer.alloc(0), qos: 0, dup: false, retain: false });
  const res = await d.next<IPublishPacket>((p) => isPublish(p) && p.topic.includes(`rid=${r}`), `the reply to GET ${r}`);
  return JSON.parse(res.payload.toString());
}

/** A legitimate device is served in full: connects, reads its own twin, gets one C2D message and acknowledges it. */
async function servesLegitimately(hub: Hub, id: string): Promise<void> {
  if (!hub.registry.get(id)) hub.registry.add(id);
  const d = await subscribedDevice(hub, id, [C2D(id), TWIN_RES]);
  const twin = hub.getTwin(id);
  expect(await getTwin(d)).toEqual(twin);
  const m = hub.sendC2d(id, Buffer.from(`for ${id}`));
  const p = await d.next<IPublishPacket>((x) => isPublish(x) && x.topic.startsWith(`devices/${id}/`), `${id}'s C2D message`);
  expect(p.payload.toString()).toBe(`for ${id}`);
  d.send({ cmd: 'puback', messageId: p.messageId! });
  await until(() => !hub.c2d.pending(id).some((x) => x.mid === m.mid), `${id}'s acknowledgement`);
  // Nothing else arrives: one more round trip, then only the one message.
  d.send({ cmd: 'pingreq' });
  await d.next((x) => x.cmd === 'pingresp', 'PINGRESP');
  expect(d.publishes().filter((x) => x.topic.startsWith('devices/'))).toHaveLength(1);
  d.end();
}

describe('a hostile device', () => {
  const tmp = tempDir();
  let hub: Hub;
  const logs: string[] = [];
  beforeAll(async () => {
    hub = await startTestHub(tmp.dir, { limits: { maxInflight: 20, maxSubscriptions: 50 } });
    hub.on('log', (l: string) => logs.push(l));
    for (const id of ['attacker', 'victim', 'victim2']) hub.registry.add(id);
  });
  afterAll(async () => {
    await hub.stop();
    tmp.cleanup();
  });

  it('1, 2: a reported patch with __proto__ is an ordinary property; no other twin, queue or token is touched', async () => {
    const a = await subscribedDevice(hub, 'attacker', [TWIN_RES]);
    const asTwin = { desired: { evil: 1 }, desiredVersion: 99, reported: {}, reportedVersion: 99 };
    const asQueue = [{ mid: 'evil', body: 'ZXZpbA==', props: {}, expires: 9e12, deliveries: 0 }];
    expect(await patchReported(a, JSON.stringify({ ['__proto__']: { victim: asTwin, victim2: asQueue, skn: 'x', polluted: true } }))).toBe(204);
    expect(await patchReported(a, '{"__proto__":{"skn":"x"},"nested":{"__proto__":{"polluted":true}}}')).toBe(204);
    // Nothing reached the prototype every object in the hub shares.
    for (const k of ['victim', 'victim2', 'skn', 'polluted']) expect(Object.hasOwn(Object.prototype, k), k).toBe(false);
    // The attacker's own twin holds the keys as properties, as IoT Hub would.
    const own = (await getTwin(a)) as { reported: Record<string, unknown> };
    expect(Object.hasOwn(own.reported, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(own.reported)).toBe(Object.prototype);
    expect(hub.getTwin('victim')).toEqual({ desired: { $version: 1 }, reported: { $version: 1 } });
    expect(hub.c2d.pending('victim2')).toEqual([]);
    a.end();
    // Item 2: the SAS parser reads no inherited `skn`, so devices still connect.
    await servesLegitimately(hub, 'victim');
    await servesLegitimately(hub, 'victim2');
  });

  it('3: leaving twin replies unacknowledged closes that connection at the in-flight limit; the hub serves on', async () => {
    const a = await subscribedDevice(hub, 'attacker', [TWIN_RES]);
    for (let i = 0; i < 30; i++) a.send({ cmd: 'publish', topic: `$iothub/twin/GET/?$rid=${i}`, payload: Buffer.alloc(0), qos: 0, dup: false, retain: false });
    await a.waitClosed();
    expect(a.publishes().length).toBe(20);
    await until(() => logs.some((l) => l === 'disconnected attacker: 20 messages not acknowledged: over the limit of 20 in flight'), 'the log line');
    await servesLegitimately(hub, 'victim');
  });

  it('3: a cloud-to-device message that meets a full in-flight window stays queued', async () => {
    const a = await subscribedDevice(hub, 'attacker', [TWIN_RES, C2D('attacker')]);
    for (let i = 0; i < 20; i++) a.send({ cmd: 'publish', topic: `$iothub/twin/GET/?$rid=${i}`, payload: Buffer.alloc(0), qos: 0, dup: false, retain: false });
    await until(() => a.publishes().length === 20, 'twenty unacknowledged replies');
    const m = hub.sendC2d('attacker', Buffer.from('keep me'));
    await a.waitClosed();
    expect(hub.c2d.pending('attacker').map((x) => [x.mid, x.deliveries])).toEqual([[m.mid, 0]]);
    hub.c2d.purge('attacker');
  });

  it('7: subscriptions past the limit get the failure code; a reported twin stays within 32 KB', async () => {
    const a = rawDevice(hub, 'attacker');
    expect(await a.connack()).toBe(0);
    const filters = Array.from({ length: 60 }, (_, i) => ({ topic: `$iothub/twin/res/${i}/#`, qos: 1 as const }));
    a.send({ cmd: 'subscribe', messageId: 3, subscriptions: filters });
    const ack = await a.next<{ cmd: 'suback'; granted: number[] } & Packet>((p) => p.cmd === 'suback', 'SUBACK');
    expect(ack.granted).toEqual([...Array(50).fill(1), ...Array(10).fill(0x80)]);
    a.send({ cmd: 'subscribe', messageId: 4, subscriptions: [{ topic: TWIN_RES, qos: 0 }] });
    expect((await a.next<{ granted: number[] } & Packet>((p) => p.cmd === 'suback', 'SUBACK')).granted).toEqual([0x80]);
    a.end();

    const b = await subscribedDevice(hub, 'attacker', [TWIN_RES]);
    const block = (n: number) => JSON.stringify({ [`block${n}`]: Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`k${i}`, 'x'.repeat(4000)])) });
    expect(await patchReported(b, block(1))).toBe(204);
    const before = hub.getTwin('attacker').reported;
    expect(await patchReported(b, block(2))).toBe(400);
    expect(hub.getTwin('attacker').reported).toEqual(before);
    b.end();
    await servesLegitimately(hub, 'victim');
  });

  it('8: properties the hub owns are left out of telemetry and of the will', async () => {
    const seen: TelemetryEvent[] = [];
    const on = (e: TelemetryEvent) => seen.push(e);
    hub.on('telemetry', on);
    const forged = 'iothub-connection-device-id=victim&%24.cdid=victim&iothub-MessageType=Will&IOTHUB-x=1&mqtt-retain=true&k=v';
    const a = rawDevice(hub, 'attacker', { will: { topic: `devices/attacker/messages/events/${forged}`, payload: Buffer.from('gone') } });
    expect(await a.connack()).toBe(0);
    a.send({ cmd: 'publish', topic: `devices/attacker/messages/events/${forged}`, payload: Buffer.from('t'), qos: 1, messageId: 1, dup: false, retain: false });
    await a.next((p) => p.cmd === 'puback', 'PUBACK');
    a.end();
    await until(() => seen.length === 2, 'the telemetry and the will');
    hub.off('telemetry', on);
    expect(seen.map((e) => ({ ...e.props }))).toEqual([{ k: 'v' }, { k: 'v', 'iothub-MessageType': 'Will' }]);
    expect(logs).toContain('telemetry attacker: left out properties the hub sets itself: iothub-connection-device-id, $.cdid, iothub-MessageType, IOTHUB-x, mqtt-retain');
  });
});

describe('device ids that are names of Object.prototype (item 5)', () => {
  const tmp = tempDir();
  let hub: Hub;
  beforeAll(async () => {
    hub = await startTestHub(tmp.dir);
  });
  afterAll(async () => {
    await hub.stop();
    tmp.cleanup();
  });

  it('are listed, connect, use their twins and get their messages', async () => {
    const ids = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
    for (const id of ids) hub.registry.add(id);
    const r = await fetch(`http://127.0.0.1:${hub.httpPort}/api/devices`, { headers: { authorization: serviceToken(hub.serviceKey, hub.hubName) } });
    expect(await r.json()).toEqual(ids.map((deviceId) => ({ deviceId, connected: false, queued: 0 })));
    for (const id of ids) {
      hub.updateDesired(id, { rate: 1 });
      await servesLegitimately(hub, id);
      const d = await subscribedDevice(hub, id, [TWIN_RES]);
      expect(await patchReported(d, '{"ok":true}')).toBe(204);
      expect(await getTwin(d)).toEqual({ desired: { rate: 1, $version: 2 }, reported: { ok: true, $version: 2 } });
      d.end();
    }
  });
});

describe('cloud-to-device messages that cannot be delivered (item 4)', () => {
  const tmp = tempDir();
  let hub: Hub;
  afterAll(async () => {
    await hub?.stop();
    tmp.cleanup();
  });

  it('are refused by the API with 400 and never queued', async () => {
    hub = await startTestHub(tmp.dir);
    hub.registry.add('dev');
    const post = (body: unknown) =>
      fetch(`http://127.0.0.1:${hub.httpPort}/api/devices/dev/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: serviceToken(hub.serviceKey, hub.hubName) },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, error: ((await r.json()) as { error?: string }).error }));
    expect(await post('{"body":"x","props":{"__proto__":"x"}}')).toEqual({ status: 400, error: "property name '__proto__' is not allowed" });
    expect(await post({ body: 'x', props: { k: '\ud800' } })).toMatchObject({ status: 400, error: expect.stringMatching(/lone UTF-16 surrogate/) });
    expect(await post({ body: 'x', props: { '\udc00': 'v' } })).toMatchObject({ status: 400 });
    expect(await post({ body: 'x', ttl: 10_000_000_000_000 })).toMatchObject({ status: 400, error: expect.stringMatching(/ttl/) });
    expect(await post({ body: 'x', ttl: 2 * 86_400 + 1 })).toMatchObject({ status: 400, error: expect.stringMatching(/ttl/) });
    expect(await post({ bodyBase64: Buffer.alloc(64 * 1024 + 1).toString('base64') })).toMatchObject({ status: 400, error: expect.stringMatching(/65536 bytes/) });
    expect(hub.c2d.pending('dev')).toEqual([]);
    await servesLegitimately(hub, 'dev');
  });

  it('left in c2d.json by an older hub are dropped at start, logged, and the rest delivered', async () => {
    await hub.stop();
    const msg = (mid: string, props: Record<string, string>, expires = Date.now() + 3_600_000) => ({ mid, body: Buffer.from(mid).toString('base64'), props, expires, deliveries: 0 });
    writeFileSync(
      `${tmp.dir}/c2d.json`,
      JSON.stringify({ dev: [msg('proto', JSON.parse('{"__proto__":"x"}')), msg('surrogate', { k: '\ud800' }), msg('far', {}, 1e13 * 1000), msg('good', { a: 'b' })] }),
    );
    const logs: string[] = [];
    hub = await startTestHub(tmp.dir, { log: (l) => logs.push(l) });
    expect(hub.c2d.pending('dev').map((m) => m.mid)).toEqual(['good']);
    expect(logs).toEqual([
      "c2d dev: dropped a stored message that cannot be sent: property name '__proto__' is not allowed",
      "c2d dev: dropped a stored message that cannot be sent: property 'k' holds a lone UTF-16 surrogate, which has no UTF-8 form",
      'c2d dev: dropped a stored message that cannot be sent: expiry out of range',
    ]);
    const d = await subscribedDevice(hub, 'dev', [C2D('dev')]);
    const p = await d.next<IPublishPacket>(isPublish, 'the good message');
    expect(p.payload.toString()).toBe('good');
    d.send({ cmd: 'puback', messageId: p.messageId! });
    await until(() => hub.c2d.pending('dev').length === 0, 'the acknowledgement');
    d.end();
    await servesLegitimately(hub, 'dev');
  });
});
