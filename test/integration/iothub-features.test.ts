// Our IoT Hub device against the local hub over TLS (the hub's generated CA, certificates
// verified, real sockets on 127.0.0.1): telemetry properties, cloud-to-device messages, the twin
// and direct methods, each checked on both ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../build/hub/server.js';
import { hubDevice, type LocalHub, localHub, type TestDevice } from '../support/hubDevice.js';
import { until } from '../support/wait.js';

const ID = 'feature-dev';
let h: LocalHub;
let d: TestDevice;
const telemetry: TelemetryEvent[] = [];
const c2d: { body: string; props: Record<string, string | null> }[] = [];
const desired: { patch: any; version: number; full?: boolean }[] = [];

beforeAll(async () => {
  h = await localHub();
  h.hub.registry.add(ID);
  h.hub.on('telemetry', (e: TelemetryEvent) => telemetry.push(e));
  d = hubDevice(h.hub, ID, { connect: false });
  // Handlers before connect(): their SUBSCRIBEs go out right after CONNACK, ahead of anything else.
  d.dev.onC2d((body, props) => c2d.push({ body: Buffer.from(body).toString('utf8'), props }));
  d.dev.onDesired((patch, version, full) => {
    desired.push({ patch, version, full });
    // The app acknowledges a desired interval by reporting it back, as IoT Plug and Play does.
    if (!full && patch.interval !== undefined) d.dev.report({ interval: patch.interval, ackVersion: version });
  });
  d.dev.onMethod('reboot', (payload, respond) => respond(200, { rebooting: true, got: payload }));
  d.dev.connect();
});

afterAll(async () => {
  d?.end();
  await h?.close();
});

describe('device and local hub over TLS', () => {
  it('connects, and the hub reports the device connected', async () => {
    await d.connected();
    expect(h.hub.connected(ID)).toBe(true);
    // The twin fetched after every connect arrives after the SUBACKs: the subscriptions are in place.
    await until(() => desired.length === 1, 'the whole desired document after connect');
    expect(desired[0]).toEqual({ patch: { $version: 1 }, version: 1, full: true });
    expect(d.errors).toEqual([]);
  });

  it('delivers telemetry with application and system properties, special characters round-tripped', async () => {
    const props = {
      '$.ct': 'application/json',
      '$.ce': 'utf-8',
      '$.mid': 'msg-1',
      'temp unit': '°C',
      'a&b=c': 'x=y&z',
      'path/seg?': '+#%/?',
      emoji: '🌡️ ok',
      empty: '',
    };
    const body = JSON.stringify({ t: 21.5, note: 'ünïcödé & more' });
    await d.send(body, props);
    await until(() => telemetry.length === 1, 'the telemetry at the hub');
    const ev = telemetry[0]!;
    expect(ev.deviceId).toBe(ID);
    expect(ev.props).toEqual(props);
    expect(ev.body.toString('utf8')).toBe(body);
  });

  it('delivers a cloud-to-device message with its properties, and the hub sees it acknowledged', async () => {
    const acks: { deviceId: string; messageId: string }[] = [];
    h.hub.on('c2d-ack', (a) => acks.push(a));
    const props = { '$.cid': 'corr-7', cmd: 'set temp', 'k&=?/': 'v a+l%ue' };
    const m = h.hub.sendC2d(ID, Buffer.from('hello ☃'), props);
    await until(() => acks.length === 1, 'the C2D acknowledgement');
    expect(acks[0]).toEqual({ deviceId: ID, messageId: m.mid });
    expect(c2d).toHaveLength(1);
    expect(c2d[0]!.body).toBe('hello ☃');
    expect(c2d[0]!.props).toEqual({ ...props, '$.mid': m.mid, '$.to': `/devices/${ID}/messages/devicebound`, '$.exp': new Date(m.expires).toISOString() });
    expect(h.hub.c2d.pending(ID)).toEqual([]);
  });

  it('gets the twin', async () => {
    const twin = await new Promise<any>((ok, fail) => d.dev.getTwin((e, t) => (e ? fail(new Error(e)) : ok(t))));
    expect(twin).toEqual(h.hub.getTwin(ID));
    expect(twin).toEqual({ desired: { $version: 1 }, reported: { $version: 1 } });
  });

  it('reports properties: the answer carries the new $version, and the hub twin shows them', async () => {
    const v = await new Promise<number>((ok, fail) => d.dev.report({ fw: '1.2.3', sensors: { temp: true } }, (e, ver) => (e ? fail(new Error(e)) : ok(ver!))));
    expect(v).toBe(2);
    expect(h.hub.getTwin(ID).reported).toEqual({ fw: '1.2.3', sensors: { temp: true }, $version: 2 });
  });

  it('pushes a desired change to the device with its version, and the app reports it back', async () => {
    const reported: { deviceId: string; patch: unknown; version: number }[] = [];
    h.hub.on('reported', (r) => reported.push(r));
    const version = h.hub.updateDesired(ID, { interval: 30 });
    expect(version).toBe(2);
    await until(() => desired.length === 2, 'the desired patch at the device');
    expect(desired[1]).toEqual({ patch: { interval: 30, $version: 2 }, version: 2, full: undefined });
    await until(() => reported.length === 1, 'the reported acknowledgement');
    expect(reported[0]).toEqual({ deviceId: ID, patch: { interval: 30, ackVersion: 2 }, version: 3 });
    expect(h.hub.getTwin(ID)).toEqual({
      desired: { interval: 30, $version: 2 },
      reported: { fw: '1.2.3', sensors: { temp: true }, interval: 30, ackVersion: 2, $version: 3 },
    });
  });

  it('answers a direct method with its status and body', async () => {
    const r = await h.hub.invoke(ID, 'reboot', { delay: 5, why: 'upgrade & test' }, 10_000);
    expect(r).toEqual({ status: 200, payload: { rebooting: true, got: { delay: 5, why: 'upgrade & test' } } });
  });

  it('answers an unknown method with 501', async () => {
    const r = await h.hub.invoke(ID, 'selfDestruct', null, 10_000);
    expect(r).toEqual({ status: 501, payload: { message: "method 'selfDestruct' not implemented" } });
  });

  it('stayed on one connection, without errors', () => {
    expect(d.connects).toBe(1);
    expect(d.dials).toBe(1);
    expect(d.errors).toEqual([]);
    expect(d.closes).toEqual([]);
  });
});
