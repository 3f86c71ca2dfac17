// MQTT-level behaviour of a hub connection: protocol level, keepalive, UNSUBSCRIBE, DISCONNECT,
// garbage on the wire; and, on a fake socket with a virtual clock, the keepalive and CONNECT
// deadlines to the millisecond and the bounds on what one connection can make the hub hold.
import { EventEmitter } from 'node:events';
import { connect as tlsConnect } from 'node:tls';
import mqtt from 'mqtt-packet';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ConnHost, type ConnSocket, DeviceConn, MAX_FIRST_PACKET, MAX_IDLE_S, MAX_PACKET, MAX_UNREAD, PacketSizer } from '../../../build/hub/conn.js';
import { MAX_INFLIGHT } from '../../../build/hub/limits.js';
import { VirtualClock } from '../../../hal/emulated/clock.js';
import type { Hub, TelemetryEvent } from '../../../build/hub/server.js';
import { until } from '../../support/wait.js';
import { rawDevice, startTestHub, subscribedDevice, tempDir, token, username } from './rig.js';

let hub: Hub;
const tmp = tempDir();
beforeAll(async () => {
  hub = await startTestHub(tmp.dir);
  for (const id of ['p', 'k', 'u', 'w', 'big', 'huge']) hub.registry.add(id);
});
afterAll(async () => {
  await hub.stop();
  tmp.cleanup();
});

function socket() {
  const s = tlsConnect({ host: '127.0.0.1', port: hub.port, ca: hub.caPem, servername: 'localhost' });
  const got: mqtt.Packet[] = [];
  const parser = mqtt.parser({ protocolVersion: 4 });
  parser.on('packet', (p: mqtt.Packet) => got.push(p));
  const st = { closed: false, got, s };
  s.on('data', (b: Buffer) => parser.parse(b));
  s.on('close', () => (st.closed = true)).on('error', () => (st.closed = true));
  return st;
}

it('refuses MQTT 3.1 with CONNACK 1 (IoT Hub speaks 3.1.1 only)', async () => {
  const c = socket();
  c.s.write(
    mqtt.generate({
      cmd: 'connect', protocolId: 'MQIsdp', protocolVersion: 3, clean: true, clientId: 'p', keepalive: 60,
      username: username(hub, 'p'), password: Buffer.from(token(hub, 'p', hub.registry.get('p')!.primaryKey)),
    }),
  );
  await until(() => c.closed, 'the close');
  expect(c.got).toMatchObject([{ cmd: 'connack', returnCode: 1 }]);
});

it('closes a connection that stays silent for 1.5 x keepalive', async () => {
  const d = rawDevice(hub, 'k', { keepalive: 1 });
  expect(await d.connack()).toBe(0);
  await d.waitClosed();
  await until(() => !hub.connected('k'), 'the hub to forget k');
});

it('acknowledges UNSUBSCRIBE and stops delivering on that filter', async () => {
  const d = await subscribedDevice(hub, 'u', ['$iothub/twin/PATCH/properties/desired/#']);
  d.send({ cmd: 'unsubscribe', messageId: 9, unsubscriptions: ['$iothub/twin/PATCH/properties/desired/#'] });
  await d.next((p) => p.cmd === 'unsuback' && p.messageId === 9, 'UNSUBACK');
  hub.updateDesired('u', { a: 1 });
  d.send({ cmd: 'pingreq' });
  await d.next((p) => p.cmd === 'pingresp', 'PINGRESP');
  expect(d.publishes()).toEqual([]);
  d.end();
});

it('forgets the will on DISCONNECT', async () => {
  const seen: TelemetryEvent[] = [];
  const on = (e: TelemetryEvent) => seen.push(e);
  hub.on('telemetry', on);
  const d = rawDevice(hub, 'w', { will: { topic: 'devices/w/messages/events/', payload: Buffer.from('lost') } });
  expect(await d.connack()).toBe(0);
  d.send({ cmd: 'disconnect' });
  await d.waitClosed();
  // The hub forgets the connection and publishes a will in the same step, so once it has
  // forgotten it, a will would already be in `seen`.
  await until(() => !hub.connected('w'), 'the hub to see the disconnect');
  hub.off('telemetry', on);
  expect(seen).toEqual([]);
});

it('closes on bytes that are not MQTT', async () => {
  const c = socket();
  c.s.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
  await until(() => c.closed, 'the close');
  expect(c.got).toEqual([]);
});

/** A fixed header: type byte and the remaining length as MQTT encodes it. */
function header(type: number, len: number): Buffer {
  const b = [type];
  do {
    b.push((len % 128) | (len >= 128 ? 128 : 0));
    len = Math.floor(len / 128);
  } while (len > 0);
  return Buffer.from(b);
}

it('PacketSizer follows packets across chunks and flags the first one over its limit', () => {
  const z = new PacketSizer();
  const connect = Buffer.concat([header(0x10, 100), Buffer.alloc(100)]);
  // Split mid-header and mid-body: nothing is over the limit.
  expect(z.push(connect.subarray(0, 1))).toBe(0);
  expect(z.push(connect.subarray(1, 50))).toBe(0);
  expect(z.push(Buffer.concat([connect.subarray(50), header(0xc0, 0), header(0x30, 200_000)]))).toBe(0);
  expect(z.push(Buffer.alloc(200_000))).toBe(0);
  const over = header(0x30, MAX_PACKET);
  expect(z.push(over)).toBe(1 + (over.length - 1) + MAX_PACKET);
  const first = new PacketSizer();
  expect(first.push(header(0x10, MAX_FIRST_PACKET))).toBe(MAX_FIRST_PACKET + 4);
  expect(new PacketSizer().push(header(0x10, MAX_FIRST_PACKET - 4))).toBe(0);
  expect(new PacketSizer().push(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(Infinity);
});

it('closes a connection whose first packet announces more than 64 KB, after only its header and a few KB', async () => {
  const c = socket();
  let written = 0;
  const write = (b: Buffer) => ((written += b.length), c.s.write(b));
  write(header(0x10, 200 * 1024 * 1024));
  write(Buffer.alloc(4096, 0x41));
  await until(() => c.closed, 'the close');
  expect(written).toBeLessThan(5000);
  expect(c.got).toEqual([]);
});

it('once connected, takes a message over 64 KB but closes on a packet announcing more than 256 KB + headers', async () => {
  const seen: TelemetryEvent[] = [];
  const on = (e: TelemetryEvent) => seen.push(e);
  hub.on('telemetry', on);
  const logs: string[] = [];
  const log = (l: string) => logs.push(l);
  hub.on('log', log);
  try {
    const ok = rawDevice(hub, 'big');
    expect(await ok.connack()).toBe(0);
    ok.send({ cmd: 'publish', topic: 'devices/big/messages/events/', payload: Buffer.alloc(200 * 1024, 0x62), qos: 1, messageId: 1, dup: false, retain: false });
    await ok.next((p) => p.cmd === 'puback', 'PUBACK');
    expect(seen.map((e) => e.body.length)).toEqual([200 * 1024]);
    ok.end();

    const d = rawDevice(hub, 'huge');
    expect(await d.connack()).toBe(0);
    const h = header(0x30, MAX_PACKET);
    d.write(Buffer.concat([h, Buffer.alloc(4096)]));
    await d.waitClosed();
    await until(() => logs.some((l) => /^disconnected huge: packet of \d+ bytes announced: over the limit$/.test(l)), 'the log line');
  } finally {
    hub.off('telemetry', on);
    hub.off('log', log);
  }
});

/** A DeviceConn on a fake socket, with its idle timers on a VirtualClock. */
function fakeConn(host: Partial<ConnHost> = {}, limits = {}) {
  const vc = new VirtualClock();
  const sock = Object.assign(new EventEmitter(), {
    writable: true,
    writableLength: 0,
    ended: false,
    out: [] as mqtt.Packet[],
    write(b: Buffer) {
      parser.parse(b);
      return true;
    },
    end() {
      sock.ended = true;
    },
    destroy() {},
  });
  const parser = mqtt.parser({ protocolVersion: 4 });
  parser.on('packet', (p: mqtt.Packet) => sock.out.push(p));
  const reasons: string[] = [];
  const full: ConnHost = {
    connect: () => 0, publish: () => true, subscribeAllowed: () => true, subscribed: () => {}, puback: () => {},
    closed: (_c, reason) => reasons.push(reason), ...host,
  };
  const idleClock = { now: () => vc.now(), setTimer: (ms: number, fn: () => void) => vc.setTimer(ms, fn), clearTimer: (id: unknown) => vc.clearTimer(id as number) };
  const c = new DeviceConn(sock as unknown as ConnSocket, full, { idleClock, limits });
  const feed = (p: mqtt.Packet) => sock.emit('data', mqtt.generate(p));
  const connect = (keepalive: number) => feed({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'f', keepalive });
  return { c, sock, vc, feed, connect, reasons };
}

it('closes after 1.5 x keepalive of silence, not a millisecond before, and any packet restarts the window', () => {
  const f = fakeConn();
  f.connect(10);
  expect(f.c.open).toBe(true);
  f.vc.advance(14_999);
  expect(f.c.open).toBe(true);
  f.feed({ cmd: 'pingreq' });
  f.vc.advance(14_999);
  expect(f.c.open).toBe(true);
  f.vc.advance(1);
  expect(f.reasons).toEqual(['keepalive timeout']);
});

it('caps the keepalive window at 1767 s, also for keepalive 0', () => {
  for (const keepalive of [0, 2000]) {
    const f = fakeConn();
    f.connect(keepalive);
    f.vc.advance(MAX_IDLE_S * 1000 - 1);
    expect(f.c.open, `keepalive ${keepalive}`).toBe(true);
    f.vc.advance(1);
    expect(f.reasons).toEqual(['keepalive timeout']);
  }
});

it('closes a connection that sends no CONNECT within the connect timeout', () => {
  const f = fakeConn({}, { connectTimeoutMs: 5000 });
  f.vc.advance(4999);
  expect(f.sock.ended).toBe(false);
  f.vc.advance(1);
  expect(f.sock.ended).toBe(true);
});

it('an exception while handling a packet closes that connection only', () => {
  const f = fakeConn({ publish: () => { throw new TypeError('boom'); } });
  f.connect(60);
  f.feed({ cmd: 'publish', topic: 'devices/f/messages/events/', payload: Buffer.from('x'), qos: 0, dup: false, retain: false });
  expect(f.reasons).toEqual(['internal error, connection closed: boom']);
  expect(f.sock.ended).toBe(true);
});

it('never searches packet ids forever: at the in-flight limit, even the largest, the connection is closed', () => {
  const f = fakeConn({}, { maxInflight: MAX_INFLIGHT });
  f.connect(60);
  for (let i = 0; i < MAX_INFLIGHT; i++) expect(f.c.send('t', 'x', 1)).toBe(i + 1);
  expect(f.c.send('t', 'x', 1)).toBeUndefined();
  expect(f.reasons).toEqual([`${MAX_INFLIGHT} messages not acknowledged: over the limit of ${MAX_INFLIGHT} in flight`]);
});

it('closes a device that stops reading what the hub sends', () => {
  const f = fakeConn();
  f.connect(60);
  f.sock.writableLength = MAX_UNREAD + 1;
  f.c.send('t', 'x', 0);
  expect(f.reasons).toEqual([`${MAX_UNREAD + 1} bytes sent and not read by the device: over the limit`]);
});

it('an exception in the hub while a connection closes (a listener of its own) stays with that connection', () => {
  const f = fakeConn({ closed: () => { throw new Error('listener failed'); } });
  f.connect(10);
  expect(() => f.vc.advance(15_000)).not.toThrow();
  expect(f.c.open).toBe(false);
  expect(() => f.sock.emit('close')).not.toThrow();
});
