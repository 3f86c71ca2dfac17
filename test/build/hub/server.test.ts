// The hub's connection rules over real TLS sockets: SAS checks, per-device topics, QoS 2, one
// connection per device, token expiry while connected, keepalive, will as telemetry.
import { connect as tlsConnect } from 'node:tls';
import mqtt from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCerts } from '../../../build/hub/ca.js';
import type { Hub, TelemetryEvent } from '../../../build/hub/server.js';
import { startHub } from '../../../build/hub/server.js';
import { until } from '../../support/wait.js';
import { rawDevice, startTestHub, subscribedDevice, tempDir, token, username } from './rig.js';

let hub: Hub;
const tmp = tempDir();
const open: { end(): void }[] = [];
const track = <T extends { end(): void }>(d: T) => (open.push(d), d);

beforeAll(async () => {
  hub = await startTestHub(tmp.dir);
  for (const id of ['a', 'b', 'c', 'e1', 'e2', 'q2', 'k', 'w']) hub.registry.add(id);
});

afterAll(async () => {
  for (const d of open) d.end();
  await hub.stop();
  tmp.cleanup();
});

const key = (id: string) => hub.registry.get(id)!.primaryKey;

describe('SAS authentication', () => {
  it('accepts a good token and sends CONNACK 0', async () => {
    const d = track(rawDevice(hub, 'a'));
    expect(await d.connack()).toBe(0);
    expect(hub.connected('a')).toBe(true);
  });

  it('refuses a token signed with the wrong key with CONNACK 5', async () => {
    const d = track(rawDevice(hub, 'b', { password: token(hub, 'b', key('c')) }));
    expect(await d.connack()).toBe(5);
    await d.waitClosed();
    expect(hub.connected('b')).toBe(false);
  });

  it('refuses an unknown device with CONNACK 5, and logs its id escaped', async () => {
    const lines: string[] = [];
    const on = (l: string) => lines.push(l);
    hub.on('log', on);
    const d = track(rawDevice(hub, 'gh\nost', { password: token(hub, 'ghost', key('a')) }));
    expect(await d.connack()).toBe(5);
    hub.off('log', on);
    expect(lines).toEqual(["refused 'gh\\u000aost' (CONNACK 5): unknown device 'gh\\u000aost'"]);
  });

  it('refuses an expired token', async () => {
    const d = track(rawDevice(hub, 'b', { password: token(hub, 'b', key('b'), -10) }));
    expect(await d.connack()).toBe(5);
  });

  it('refuses a token for another device or another hub (sr)', async () => {
    const other = track(rawDevice(hub, 'b', { password: token(hub, 'a', key('b')) }));
    expect(await other.connack()).toBe(5);
    const host = track(rawDevice(hub, 'b', { password: token(hub, 'b', key('b'), 3600, 'elsewhere.azure-devices.net') }));
    expect(await host.connack()).toBe(5);
  });

  it('accepts the resource URI case-insensitively', async () => {
    const t = token(hub, 'b', key('b'), 3600, 'LOCALHOST');
    // Signed over the upper-case sr, so only a case-insensitive sr check lets it in.
    const d = track(rawDevice(hub, 'b', { password: t }));
    expect(await d.connack()).toBe(0);
    d.end();
  });

  it('refuses malformed user names and passwords with CONNACK 4', async () => {
    for (const u of ['b', 'localhost/b', 'localhost/b/?foo=1', '/b/?api-version=1']) {
      const d = track(rawDevice(hub, 'b', { username: u }));
      expect(await d.connack(), u).toBe(4);
    }
    const d = track(rawDevice(hub, 'b', { password: 'not a token' }));
    expect(await d.connack()).toBe(4);
  });

  it('refuses a client id that differs from the user name, and a policy token', async () => {
    const d = track(rawDevice(hub, 'b', { clientId: 'c' }));
    expect(await d.connack()).toBe(5);
    const p = track(rawDevice(hub, 'b', { password: token(hub, 'b', key('b')) + '&skn=iothubowner' }));
    expect(await p.connack()).toBe(5);
  });

  it('accepts extra user name parameters (model-id, DeviceClientType)', async () => {
    const d = track(rawDevice(hub, 'c', { username: username(hub, 'c') + '&model-id=dtmi%3Ax%3By%3B1&DeviceClientType=test' }));
    expect(await d.connack()).toBe(0);
    d.end();
  });

  it('closes the connection when the token expires while connected', async () => {
    const d = track(rawDevice(hub, 'e1', { password: token(hub, 'e1', key('e1'), 2) }));
    expect(await d.connack()).toBe(0);
    await d.waitClosed();
    await until(() => !hub.connected('e1'), 'the hub to forget e1');
  });
});

describe('topics a device may use', () => {
  it('refuses a subscription to another device’s topics by closing the connection', async () => {
    const d = track(rawDevice(hub, 'k'));
    expect(await d.connack()).toBe(0);
    d.send({ cmd: 'subscribe', messageId: 3, subscriptions: [{ topic: 'devices/a/messages/devicebound/#', qos: 1 }] });
    await d.waitClosed();
    expect(d.packets.some((p) => p.cmd === 'suback')).toBe(false);
  });

  it('refuses a publish to another device’s telemetry topic by closing the connection', async () => {
    const seen: TelemetryEvent[] = [];
    const on = (e: TelemetryEvent) => seen.push(e);
    hub.on('telemetry', on);
    const d = track(rawDevice(hub, 'k'));
    expect(await d.connack()).toBe(0);
    d.send({ cmd: 'publish', topic: 'devices/a/messages/events/', payload: Buffer.from('x'), qos: 1, messageId: 7, dup: false, retain: false });
    await d.waitClosed();
    hub.off('telemetry', on);
    expect(seen).toEqual([]);
    expect(d.packets.some((p) => p.cmd === 'puback')).toBe(false);
  });

  it('refuses wildcard and hub-only topics', async () => {
    for (const topic of ['#', 'devices/+/messages/devicebound/#', '$iothub/#']) {
      const d = track(rawDevice(hub, 'k'));
      expect(await d.connack()).toBe(0);
      d.send({ cmd: 'subscribe', messageId: 4, subscriptions: [{ topic, qos: 0 }] });
      await d.waitClosed();
    }
    const d = track(rawDevice(hub, 'k'));
    expect(await d.connack()).toBe(0);
    d.send({ cmd: 'publish', topic: '$iothub/twin/PATCH/properties/desired/?$version=9', payload: Buffer.from('{}'), qos: 0, dup: false, retain: false });
    await d.waitClosed();
  });

  it('grants QoS 1 for a QoS 2 subscription', async () => {
    const d = track(rawDevice(hub, 'q2'));
    expect(await d.connack()).toBe(0);
    d.send({ cmd: 'subscribe', messageId: 5, subscriptions: [{ topic: '$iothub/methods/POST/#', qos: 2 }, { topic: '$iothub/twin/res/#', qos: 0 }] });
    const s = await d.next<{ cmd: 'suback'; granted: number[] } & import('mqtt-packet').Packet>((p) => p.cmd === 'suback', 'SUBACK');
    expect(s.granted).toEqual([1, 0]);
    d.end();
  });

  it('closes the connection on a QoS 2 publish', async () => {
    const d = track(rawDevice(hub, 'q2'));
    expect(await d.connack()).toBe(0);
    d.send({ cmd: 'publish', topic: 'devices/q2/messages/events/', payload: Buffer.from('x'), qos: 2, messageId: 9, dup: false, retain: false });
    await d.waitClosed();
    expect(d.packets.some((p) => p.cmd === 'pubrec')).toBe(false);
  });

  it('closes the connection on a message over 256 KB', async () => {
    const d = track(rawDevice(hub, 'q2'));
    expect(await d.connack()).toBe(0);
    d.send({ cmd: 'publish', topic: 'devices/q2/messages/events/', payload: Buffer.alloc(256 * 1024 + 1), qos: 1, messageId: 4, dup: false, retain: false });
    await d.waitClosed();
    expect(d.packets.some((p) => p.cmd === 'puback')).toBe(false);
  });

  it('acknowledges its own telemetry and decodes the property bag', async () => {
    const seen: TelemetryEvent[] = [];
    const on = (e: TelemetryEvent) => seen.push(e);
    hub.on('telemetry', on);
    const d = track(rawDevice(hub, 'c'));
    expect(await d.connack()).toBe(0);
    const topic = 'devices/c/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8&room=k%C3%BCche';
    d.send({ cmd: 'publish', topic, payload: Buffer.from('{"t":21}'), qos: 1, messageId: 11, dup: false, retain: true });
    await d.next((p) => p.cmd === 'puback' && p.messageId === 11, 'PUBACK');
    hub.off('telemetry', on);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.deviceId).toBe('c');
    expect(seen[0]!.props).toEqual({ '$.ct': 'application/json', '$.ce': 'utf-8', room: 'küche', 'mqtt-retain': 'true' });
    expect(seen[0]!.body.toString()).toBe('{"t":21}');
    d.end();
  });
});

describe('connections', () => {
  it('keeps one connection per device: a new one closes the old', async () => {
    const first = track(rawDevice(hub, 'e2'));
    expect(await first.connack()).toBe(0);
    const second = track(rawDevice(hub, 'e2'));
    expect(await second.connack()).toBe(0);
    await first.waitClosed();
    expect(second.closed).toBe(false);
    expect(hub.connected('e2')).toBe(true);
    second.end();
  });

  it('forwards a will on the telemetry topic as telemetry when the device drops', async () => {
    const seen: TelemetryEvent[] = [];
    hub.on('telemetry', (e: TelemetryEvent) => seen.push(e));
    const d = rawDevice(hub, 'w', { will: { topic: 'devices/w/messages/events/state=gone', payload: Buffer.from('bye') } });
    expect(await d.connack()).toBe(0);
    d.end();
    await until(() => seen.some((e) => e.deviceId === 'w'), 'the will');
    expect(seen.find((e) => e.deviceId === 'w')!.props).toEqual({ state: 'gone', 'iothub-MessageType': 'Will' });
  });

  it('answers PINGREQ', async () => {
    const d = track(await subscribedDevice(hub, 'a', ['$iothub/twin/res/#']));
    d.send({ cmd: 'pingreq' });
    await d.next((p) => p.cmd === 'pingresp', 'PINGRESP');
  });

  it('closes a connection whose first packet is not CONNECT, and one that sends a second CONNECT', async () => {
    const sock = tlsConnect({ host: '127.0.0.1', port: hub.port, ca: hub.caPem, servername: 'localhost' });
    let closed = false;
    sock.on('close', () => (closed = true)).on('error', () => (closed = true));
    sock.write(mqtt.generate({ cmd: 'pingreq' }));
    await until(() => closed, 'the hub to close the connection');
    const d = track(rawDevice(hub, 'a'));
    expect(await d.connack()).toBe(0);
    d.send({ cmd: 'connect', clientId: 'a', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60 });
    await d.waitClosed();
  });

  it('turns away a client that does not trust its CA, and keeps serving', async () => {
    const other = tempDir();
    const foreign = await ensureCerts(other.dir);
    const err = await new Promise<Error>((ok) => {
      const s = tlsConnect({ host: '127.0.0.1', port: hub.port, ca: foreign.caPem, servername: 'localhost' }, () => ok(new Error('handshake succeeded')));
      s.on('error', ok);
    });
    other.cleanup();
    expect(err.message).toMatch(/certificate/);
    const d = track(rawDevice(hub, 'a'));
    expect(await d.connack()).toBe(0);
  });

  it('speaks plain MQTT on loopback when TLS is off', async () => {
    const plain = tempDir();
    const h = await startHub({ dataDir: plain.dir, port: 0, tls: false });
    try {
      h.registry.add('p');
      expect(h.caPath).toBeUndefined();
      const d = rawDevice(h, 'p');
      expect(await d.connack()).toBe(0);
      d.end();
    } finally {
      await h.stop();
      plain.cleanup();
    }
  });

  it('refuses plain TCP on a non-loopback address', async () => {
    await expect(startHub({ dataDir: tmp.dir + '/x', port: 0, tls: false, host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });

  it('refuses a second hub on the same data folder', async () => {
    await expect(startTestHub(tmp.dir)).rejects.toThrow(/already running/);
  });
});
