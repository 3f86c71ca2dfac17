import type { IPublishPacket } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MethodCalls, MethodError, methodNameError } from '../../../build/hub/methods.js';
import type { Hub } from '../../../build/hub/server.js';
import { startTestHub, subscribedDevice, tempDir } from './rig.js';

describe('methodNameError', () => {
  it('allows what device ids allow, except ?, and says which character is wrong', () => {
    for (const ok of ['reboot', 'set-led_1', "a.b:c=d@e$f'(g),h!*%"]) expect(methodNameError(ok)).toBeNull();
    expect(methodNameError('a\u0000b')).toBe("method name 'a\\u0000b': character '\\u0000' is not allowed");
    expect(methodNameError('a\u001bb')).toBe("method name 'a\\u001bb': character '\\u001b' is not allowed");
    expect(methodNameError('x/y')).toBe("method name 'x/y': character '/' is not allowed");
    expect(methodNameError('x?y')).toBe("method name 'x?y': character '?' is not allowed");
    expect(methodNameError('')).toBe('method name is empty');
    expect(methodNameError('m'.repeat(129))).toBe('method name is longer than 128 characters');
  });
});

describe('MethodCalls', () => {
  it('resolves with the status and the parsed JSON, text, or null', async () => {
    const m = new MethodCalls();
    const a = m.start('d', 'x', 10_000);
    const b = m.start('d', 'x', 10_000);
    const c = m.start('d', 'x', 10_000);
    expect(new Set([a.rid, b.rid, c.rid]).size).toBe(3);
    expect(m.answer('other', a.rid, 200, Buffer.from('{}'))).toBe(false);
    expect(m.answer('d', a.rid, 201, Buffer.from('{"k":[1]}'))).toBe(true);
    expect(m.answer('d', a.rid, 201, Buffer.from('{}'))).toBe(false);
    m.answer('d', b.rid, 500, Buffer.from('not json'));
    m.answer('d', c.rid, 204, Buffer.alloc(0));
    expect(await a.result).toEqual({ status: 201, payload: { k: [1] } });
    expect(await b.result).toEqual({ status: 500, payload: 'not json' });
    expect(await c.result).toEqual({ status: 204, payload: null });
  });

  it('rejects with 504 on timeout and when cancelled', async () => {
    const m = new MethodCalls();
    const t = m.start('d', 'slow', 20);
    await expect(t.result).rejects.toMatchObject({ status: 504 });
    expect(m.answer('d', t.rid, 200, Buffer.alloc(0))).toBe(false);
    const c = m.start('d', 'x', 10_000);
    m.cancelAll();
    await expect(c.result).rejects.toBeInstanceOf(MethodError);
  });
});

describe('direct methods over MQTT', () => {
  let hub: Hub;
  const tmp = tempDir();
  beforeAll(async () => {
    hub = await startTestHub(tmp.dir);
    for (const id of ['m1', 'm2', 'idle']) hub.registry.add(id);
  });
  afterAll(async () => {
    await hub.stop();
    tmp.cleanup();
  });

  it('delivers the call and returns the device’s status and body', async () => {
    const d = await subscribedDevice(hub, 'm1', ['$iothub/methods/POST/#']);
    const call = hub.invoke('m1', 'setLed', { on: true }, 10_000);
    const req = await d.next<IPublishPacket>((p) => p.cmd === 'publish', 'method request');
    const m = /^\$iothub\/methods\/POST\/setLed\/\?\$rid=(.+)$/.exec(req.topic);
    expect(m).not.toBeNull();
    expect(JSON.parse(req.payload.toString())).toEqual({ on: true });
    d.send({ cmd: 'publish', topic: `$iothub/methods/res/202/?$rid=${m![1]}`, payload: Buffer.from('{"led":"on"}'), qos: 0, dup: false, retain: false });
    expect(await call).toEqual({ status: 202, payload: { led: 'on' } });
    d.end();
  });

  it('ignores a response from another device for the same request id', async () => {
    const d1 = await subscribedDevice(hub, 'm1', ['$iothub/methods/POST/#']);
    const d2 = await subscribedDevice(hub, 'm2', ['$iothub/methods/POST/#']);
    const call = hub.invoke('m1', 'ping', null, 10_000);
    const req = await d1.next<IPublishPacket>((p) => p.cmd === 'publish', 'method request');
    const rid = req.topic.split('$rid=')[1];
    d2.send({ cmd: 'publish', topic: `$iothub/methods/res/500/?$rid=${rid}`, payload: Buffer.from('"evil"'), qos: 1, messageId: 3, dup: false, retain: false });
    await d2.next((p) => p.cmd === 'puback', 'PUBACK');
    d1.send({ cmd: 'publish', topic: `$iothub/methods/res/200/?$rid=${rid}`, payload: Buffer.from('"pong"'), qos: 0, dup: false, retain: false });
    expect(await call).toEqual({ status: 200, payload: 'pong' });
    expect(d2.publishes()).toEqual([]);
    d1.end();
    d2.end();
  });

  it('fails with 504 when the device does not answer in time', async () => {
    const d = await subscribedDevice(hub, 'm1', ['$iothub/methods/POST/#']);
    await expect(hub.invoke('m1', 'hang', {}, 200)).rejects.toMatchObject({ status: 504 });
    d.end();
  });

  it('fails with 404 for a device that is offline or not subscribed, and refuses bad names', async () => {
    await expect(hub.invoke('idle', 'x', {})).rejects.toMatchObject({ status: 404 });
    const d = await subscribedDevice(hub, 'm2', ['$iothub/twin/res/#']);
    await expect(hub.invoke('m2', 'x', {})).rejects.toMatchObject({ status: 404 });
    await expect(hub.invoke('nobody', 'x', {})).rejects.toThrow(/unknown device/);
    for (const bad of ['a/b', 'a+', '#', 'a?b', 'nul\u0000', 'new\nline', '']) {
      await expect(hub.invoke('m2', bad, {})).rejects.toMatchObject({ status: 400, message: methodNameError(bad) });
    }
    expect(d.publishes()).toEqual([]);
    d.end();
  });
});
