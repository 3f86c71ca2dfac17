// The service API against a running hub: plain fetch on loopback with a token signed with the
// service key, as the CLI does.
import { request } from 'node:http';
import type { IPublishPacket } from 'mqtt-packet';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Hub } from '../../../build/hub/server.js';
import { serviceToken } from '../../../build/hub/servicekey.js';
import { until } from '../../support/wait.js';
import { rawDevice, startTestHub, subscribedDevice, tempDir } from './rig.js';

let hub: Hub;
const tmp = tempDir();
beforeAll(async () => {
  hub = await startTestHub(tmp.dir);
  for (const id of ['h1', 'h2']) hub.registry.add(id);
});
afterAll(async () => {
  await hub.stop();
  tmp.cleanup();
});

const auth = () => serviceToken(hub.serviceKey, hub.hubName);

async function call(method: string, path: string, body?: unknown, authorization = auth()): Promise<{ status: number; json: any }> {
  const r = await fetch(`http://127.0.0.1:${hub.httpPort}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

it('lists devices with their connection state and queue length', async () => {
  const d = rawDevice(hub, 'h1');
  expect(await d.connack()).toBe(0);
  hub.sendC2d('h2', Buffer.from('x'));
  expect(await call('GET', '/api/devices')).toEqual({
    status: 200,
    json: [
      { deviceId: 'h1', connected: true, queued: 0 },
      { deviceId: 'h2', connected: false, queued: 1 },
    ],
  });
  d.end();
});

it('queues a cloud-to-device message with properties and ttl', async () => {
  const r = await call('POST', '/api/devices/h1/messages', { body: 'hi', props: { a: 'b' }, ttl: 60 });
  expect(r.status).toBe(201);
  const q = hub.c2d.pending('h1');
  expect(q.map((m) => [m.mid, Buffer.from(m.body, 'base64').toString(), m.props])).toEqual([[r.json.messageId, 'hi', { a: 'b' }]]);
  expect(Date.parse(r.json.expires)).toBe(q[0]!.expires);
  const bin = await call('POST', '/api/devices/h1/messages', { bodyBase64: Buffer.from([1, 2]).toString('base64') });
  expect(bin.status).toBe(201);
  expect(hub.c2d.pending('h1')[1]!.body).toBe(Buffer.from([1, 2]).toString('base64'));
});

it('answers 404 for unknown devices and APIs, 400 for bad requests', async () => {
  expect(await call('POST', '/api/devices/nope/messages', { body: 'x' })).toEqual({ status: 404, json: { error: "unknown device 'nope'" } });
  expect((await call('GET', '/api/devices/nope/twin')).status).toBe(404);
  expect((await call('GET', '/api/nothing')).status).toBe(404);
  expect((await call('PUT', '/api/devices')).status).toBe(404);
  expect((await call('POST', '/api/devices/h1/messages', '{')).json.error).toMatch(/not valid JSON/);
  expect((await call('POST', '/api/devices/h1/messages', { props: { a: 1 } })).status).toBe(400);
  expect((await call('POST', '/api/devices/h1/messages', { ttl: -1 })).json.error).toMatch(/ttl/);
  expect((await call('POST', '/api/devices/h1/messages', { props: { '$.to': 'x' } })).status).toBe(400);
  expect((await call('POST', '/api/devices/h1/methods', {})).json.error).toMatch(/method/);
  expect((await call('PATCH', '/api/devices/h1/twin/desired', [1])).status).toBe(400);
  expect((await call('POST', '/api/devices/h1/messages', { body: 'x'.repeat(300_000) })).status).toBe(413);
});

it('refuses requests a web page could make: foreign Host header, non-JSON body', async () => {
  const raw = (headers: Record<string, string>) =>
    new Promise<number>((ok, fail) => {
      const req = request({ host: '127.0.0.1', port: hub.httpPort, path: '/api/devices/h2/messages', method: 'POST', headers: { authorization: auth(), ...headers } }, (res) => (res.resume(), ok(res.statusCode!)));
      req.on('error', fail).end('{"body":"x"}');
    });
  const before = hub.c2d.pending('h2').length;
  expect(await raw({ host: `evil.example:${hub.httpPort}`, 'content-type': 'application/json' })).toBe(403);
  expect(await raw({ host: `127.0.0.1:${hub.httpPort}`, 'content-type': 'text/plain' })).toBe(415);
  expect(hub.c2d.pending('h2').length).toBe(before);
  expect(await raw({ host: `localhost:${hub.httpPort}`, 'content-type': 'application/json' })).toBe(201);
});

it('patches desired properties and reads the twin', async () => {
  expect(await call('PATCH', '/api/devices/h2/twin/desired', { rate: 5 })).toEqual({ status: 200, json: { version: 2 } });
  expect(await call('GET', '/api/devices/h2/twin')).toEqual({ status: 200, json: { desired: { rate: 5, $version: 2 }, reported: { $version: 1 } } });
});

it('invokes methods: 200 with the reply, 404 offline, 504 on timeout', async () => {
  expect(await call('POST', '/api/devices/h2/methods', { method: 'x' })).toMatchObject({ status: 404 });
  expect(await call('POST', '/api/devices/h2/methods', { method: 'bad\u0000name' })).toEqual({
    status: 400,
    json: { error: "method name 'bad\\u0000name': character '\\u0000' is not allowed" },
  });
  const d = await subscribedDevice(hub, 'h2', ['$iothub/methods/POST/#']);
  const slow = await call('POST', '/api/devices/h2/methods', { method: 'x', timeout: 0.2 });
  expect(slow.status).toBe(504);
  const pending = call('POST', '/api/devices/h2/methods', { method: 'hello', payload: { n: 1 } });
  await until(() => d.publishes().length === 2, 'the second request');
  const req = d.publishes()[1] as IPublishPacket;
  expect(JSON.parse(req.payload.toString())).toEqual({ n: 1 });
  const rid = req.topic.split('$rid=')[1];
  d.send({ cmd: 'publish', topic: `$iothub/methods/res/200/?$rid=${rid}`, payload: Buffer.from('{"hi":true}'), qos: 0, dup: false, retain: false });
  expect(await pending).toEqual({ status: 200, json: { status: 200, payload: { hi: true } } });
  d.end();
});

it('streams telemetry as server-sent events', async () => {
  const res = await fetch(`http://127.0.0.1:${hub.httpPort}/api/events`, { headers: { authorization: auth() } });
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const reader = res.body!.getReader();
  let text = '';
  const d = rawDevice(hub, 'h1');
  expect(await d.connack()).toBe(0);
  d.send({ cmd: 'publish', topic: 'devices/h1/messages/events/k=v', payload: Buffer.from('hello'), qos: 0, dup: false, retain: false });
  d.send({ cmd: 'publish', topic: 'devices/h1/messages/events/', payload: Buffer.from([0xff, 0]), qos: 0, dup: false, retain: false });
  for (let i = 0; i < 100 && (text.match(/^data: /gm) ?? []).length < 2; i++) {
    const r = await reader.read();
    if (r.done) break;
    text += new TextDecoder().decode(r.value);
  }
  await reader.cancel();
  const events = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)));
  expect(events).toMatchObject([
    { deviceId: 'h1', props: { k: 'v' }, body: 'hello' },
    { deviceId: 'h1', props: {}, bodyBase64: Buffer.from([0xff, 0]).toString('base64') },
  ]);
  d.end();
});

it('removes a device with its twin and queue, and drops its connection', async () => {
  const d = rawDevice(hub, 'h1');
  expect(await d.connack()).toBe(0);
  expect((await call('DELETE', '/api/devices/h1')).status).toBe(204);
  await d.waitClosed();
  expect(hub.registry.get('h1')).toBeUndefined();
  expect(hub.c2d.pending('h1')).toEqual([]);
  expect((await call('DELETE', '/api/devices/h1')).status).toBe(404);
});

it('answers 401, doing nothing, to a request without a token or with one the service key did not sign', async () => {
  const before = hub.c2d.pending('h2').length;
  const other = serviceToken(Buffer.alloc(32, 1).toString('base64'), hub.hubName);
  for (const authorization of ['', other, auth().replace('skn=service', 'skn=h2'), serviceToken(hub.serviceKey, 'another-hub')]) {
    const r = await call('POST', '/api/devices/h2/messages', { body: 'x' }, authorization);
    expect(r.status, authorization).toBe(401);
    expect(r.json.error).not.toContain(hub.serviceKey);
  }
  expect((await call('GET', '/api/devices', undefined, '')).status).toBe(401);
  expect((await fetch(`http://127.0.0.1:${hub.httpPort}/api/events`)).status).toBe(401);
  expect(hub.c2d.pending('h2').length).toBe(before);
});

it('keeps its data folder to its owner: the folder 0700, every file 0600', async () => {
  hub.updateDesired('h2', { mode: 1 });
  const { readdirSync, statSync } = await import('node:fs');
  expect(statSync(tmp.dir).mode & 0o777).toBe(0o700);
  const files = readdirSync(tmp.dir);
  expect(files).toEqual(expect.arrayContaining(['service.key', 'registry.json', 'twins.json', 'c2d.json', 'hub.json', 'ca.pem', 'ca.key']));
  for (const f of files) expect(statSync(`${tmp.dir}/${f}`).mode & 0o777, f).toBe(0o600);
});
