import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../../build/hub/server.js';
import { mergePatch, ownCopy, patchError, TwinStore, twinSize } from '../../../build/hub/twin.js';
import { startTestHub, subscribedDevice, tempDir } from './rig.js';

describe('patch rules', () => {
  it('accepts objects with plain keys and refuses the rest', () => {
    expect(patchError({ a: 1, b: { c: [1, 2], d: null } })).toBeNull();
    expect(patchError([1])).toMatch(/JSON object/);
    expect(patchError('x')).toMatch(/JSON object/);
    expect(patchError(null)).toMatch(/JSON object/);
    for (const k of ['a.b', '$version', 'a b', 'x\u0001']) expect(patchError({ [k]: 1 }), k).toMatch(/not allowed/);
    expect(patchError({ a: { b: { 'c.d': 1 } } })).toMatch(/'c.d'/);
  });

  it('limits depth to 10 and size to 32 KB', () => {
    let deep: Record<string, unknown> = { v: 1 };
    for (let i = 0; i < 9; i++) deep = { n: deep };
    expect(patchError(deep)).toBeNull();
    expect(patchError({ n: deep })).toMatch(/10 levels/);
    expect(patchError({ s: 'x'.repeat(33_000) })).toMatch(/32768 bytes/);
  });

  it("limits keys to 1 KB and strings to 4 KB, as IoT Hub does", () => {
    expect(patchError({ ['k'.repeat(1024)]: 1 })).toBeNull();
    expect(patchError({ ['k'.repeat(1025)]: 1 })).toMatch(/name may be at most 1024 bytes/);
    expect(patchError({ a: { b: 'x'.repeat(4097) } })).toMatch(/string value may be at most 4096 bytes/);
    expect(patchError({ a: ['x'.repeat(4097)] })).toMatch(/4096 bytes/);
    expect(patchError({ a: 'é'.repeat(2048) })).toBeNull();
  });

  it("measures a twin as IoT Hub does: keys and strings in UTF-8, 8 bytes a number, 4 a boolean", () => {
    expect(twinSize({ ab: 'cd', n: 1, t: true, o: { é: [1, 'x'] }, z: null })).toBe(2 + 2 + 1 + 8 + 1 + 4 + 1 + 2 + 8 + 1 + 1);
    expect(twinSize({ s: 'a\u0001b' })).toBe(3);
  });

  it('merges a __proto__ key as a property of the twin, never into a prototype', () => {
    const t = ownCopy({}) as Record<string, unknown>;
    mergePatch(t, JSON.parse('{"__proto__":{"polluted":1},"a":{"__proto__":{"polluted":2}},"constructor":{"x":1}}'));
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
    expect(JSON.parse(JSON.stringify(t))).toEqual(JSON.parse('{"__proto__":{"polluted":1},"a":{"__proto__":{"polluted":2}},"constructor":{"x":1}}'));
    // A plain target too: the key is defined as an own property, not assigned.
    const plain: Record<string, unknown> = {};
    mergePatch(plain, JSON.parse('{"__proto__":{"polluted":3}}'));
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.hasOwn(plain, '__proto__')).toBe(true);
  });

  it('merges objects, replaces other values, deletes on null', () => {
    const t: Record<string, unknown> = { a: 1, o: { x: 1, y: 2 }, arr: [1, 2], gone: true };
    mergePatch(t, { a: 2, o: { y: null, z: 3 }, arr: [3], gone: null, n: { m: { k: 1 } } });
    expect(t).toEqual({ a: 2, o: { x: 1, z: 3 }, arr: [3], n: { m: { k: 1 } } });
  });
});

describe('TwinStore', () => {
  const tmp = tempDir();
  afterAll(() => tmp.cleanup());

  it('starts both sides at version 1 and counts each patch, and persists', () => {
    const path = `${tmp.dir}/twins.json`;
    const s = new TwinStore(path);
    expect(s.get('d')).toEqual({ desired: { $version: 1 }, reported: { $version: 1 } });
    expect(s.patchReported('d', { fw: '1' })).toBe(2);
    expect(s.patchReported('d', { fw: null, up: 5 })).toBe(3);
    expect(s.patchDesired('d', { rate: 2 })).toEqual({ version: 2, body: { rate: 2, $version: 2 } });
    expect(() => s.patchReported('d', { 'a.b': 1 })).toThrow(/not allowed/);
    const again = new TwinStore(path);
    expect(again.get('d')).toEqual({ desired: { rate: 2, $version: 2 }, reported: { up: 5, $version: 3 } });
    again.delete('d');
    expect(new TwinStore(path).get('d').reported.$version).toBe(1);
  });

  it('refuses a patch that would take one side over 32 KB, and keeps the twin as it was', () => {
    const s = new TwinStore(`${tmp.dir}/big.json`);
    const block = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`k${i}`, 'x'.repeat(4000)]));
    expect(s.patchReported('d', { a: block })).toBe(2);
    expect(() => s.patchReported('d', { b: block })).toThrow(/would make the reported properties \d+ bytes; IoT Hub allows 32768/);
    expect(Object.keys(s.get('d').reported)).toEqual(['a', '$version']);
    expect(s.get('d').reported.$version).toBe(2);
    // Deleting makes room again.
    expect(s.patchReported('d', { a: null, b: block })).toBe(3);
    expect(() => s.patchDesired('d', { a: block, b: block })).toThrow(/at most 32768 bytes|desired properties/);
  });

  it('keeps device ids that are names of Object.prototype apart, across a restart', () => {
    const path = `${tmp.dir}/ids.json`;
    const s = new TwinStore(path);
    for (const id of ['__proto__', 'constructor', 'toString']) s.patchReported(id, { me: id });
    const again = new TwinStore(path);
    for (const id of ['__proto__', 'constructor', 'toString']) expect(again.get(id).reported).toEqual({ me: id, $version: 2 });
    expect(again.get('valueOf')).toEqual({ desired: { $version: 1 }, reported: { $version: 1 } });
  });

  it('hands out copies, not its own objects', () => {
    const s = new TwinStore(`${tmp.dir}/copies.json`);
    s.patchReported('d', { o: { x: 1 } });
    (s.get('d').reported.o as { x: number }).x = 99;
    expect(s.get('d').reported.o).toEqual({ x: 1 });
  });
});

describe('twin over MQTT', () => {
  let hub: Hub;
  const tmp = tempDir();
  beforeAll(async () => {
    hub = await startTestHub(tmp.dir);
    hub.registry.add('t1');
    hub.registry.add('t2');
  });
  afterAll(async () => {
    await hub.stop();
    tmp.cleanup();
  });

  const res = (topic: string) => /^\$iothub\/twin\/res\/(\d+)\/\?(.*)$/.exec(topic);

  it('answers GET with 200 and the twin, PATCH with 204 and the new version, bad JSON with 400', async () => {
    const d = await subscribedDevice(hub, 't1', ['$iothub/twin/res/#']);
    d.send({ cmd: 'publish', topic: '$iothub/twin/GET/?$rid=g1', payload: Buffer.alloc(0), qos: 0, dup: false, retain: false });
    const get = await d.next<import('mqtt-packet').IPublishPacket>((p) => p.cmd === 'publish' && p.topic.includes('rid=g1'), 'GET reply');
    expect(res(get.topic)![1]).toBe('200');
    expect(JSON.parse(get.payload.toString())).toEqual({ desired: { $version: 1 }, reported: { $version: 1 } });

    const patch = (rid: string, body: string) =>
      d.send({ cmd: 'publish', topic: `$iothub/twin/PATCH/properties/reported/?$rid=${rid}`, payload: Buffer.from(body), qos: 1, messageId: 2, dup: false, retain: false });
    patch('p1', '{"battery":88,"net":{"rssi":-60}}');
    const ok = await d.next<import('mqtt-packet').IPublishPacket>((p) => p.cmd === 'publish' && p.topic.includes('rid=p1'), 'PATCH reply');
    expect(ok.topic).toBe('$iothub/twin/res/204/?$rid=p1&$version=2');
    patch('p2', '{"battery":');
    const bad = await d.next<import('mqtt-packet').IPublishPacket>((p) => p.cmd === 'publish' && p.topic.includes('rid=p2'), 'bad PATCH reply');
    expect(res(bad.topic)![1]).toBe('400');
    patch('p3', '[1,2]');
    const arr = await d.next<import('mqtt-packet').IPublishPacket>((p) => p.cmd === 'publish' && p.topic.includes('rid=p3'), 'array PATCH reply');
    expect(res(arr.topic)![1]).toBe('400');
    expect(hub.getTwin('t1').reported).toEqual({ battery: 88, net: { rssi: -60 }, $version: 2 });
    d.end();
  });

  it('pushes desired patches with $version to the device that listens, and to no other', async () => {
    const d1 = await subscribedDevice(hub, 't1', ['$iothub/twin/PATCH/properties/desired/#']);
    const d2 = await subscribedDevice(hub, 't2', ['$iothub/twin/PATCH/properties/desired/#', '$iothub/twin/res/#']);
    const v = hub.updateDesired('t1', { interval: 10, mode: { eco: true } });
    const push = await d1.next<import('mqtt-packet').IPublishPacket>((p) => p.cmd === 'publish', 'desired push');
    expect(push.topic).toBe(`$iothub/twin/PATCH/properties/desired/?$version=${v}`);
    expect(JSON.parse(push.payload.toString())).toEqual({ interval: 10, mode: { eco: true }, $version: v });
    // t2 asks for its own twin: the only publish it ever gets is that reply.
    d2.send({ cmd: 'publish', topic: '$iothub/twin/GET/?$rid=x', payload: Buffer.alloc(0), qos: 0, dup: false, retain: false });
    await d2.next((p) => p.cmd === 'publish', 'GET reply');
    expect(d2.publishes().map((p) => p.topic)).toEqual(['$iothub/twin/res/200/?$rid=x']);
    expect(hub.getTwin('t1').desired).toEqual({ interval: 10, mode: { eco: true }, $version: v });
    d1.end();
    d2.end();
  });

  it('sends no reply to a device that did not subscribe to replies', async () => {
    const d = await subscribedDevice(hub, 't2', ['$iothub/methods/POST/#']);
    d.send({ cmd: 'publish', topic: '$iothub/twin/PATCH/properties/reported/?$rid=q', payload: Buffer.from('{"a":1}'), qos: 1, messageId: 5, dup: false, retain: false });
    await d.next((p) => p.cmd === 'puback', 'PUBACK');
    expect(hub.getTwin('t2').reported.a).toBe(1);
    expect(d.publishes()).toEqual([]);
    d.end();
  });
});
