// MQTT-level behaviour of a hub connection: protocol level, keepalive, UNSUBSCRIBE, DISCONNECT,
// garbage on the wire.
import { connect as tlsConnect } from 'node:tls';
import mqtt from 'mqtt-packet';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Hub, TelemetryEvent } from '../../../build/hub/server.js';
import { sleep, until } from '../../support/wait.js';
import { rawDevice, startTestHub, subscribedDevice, tempDir, token, username } from './rig.js';

let hub: Hub;
const tmp = tempDir();
beforeAll(async () => {
  hub = await startTestHub(tmp.dir);
  for (const id of ['p', 'k', 'u', 'w']) hub.registry.add(id);
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
  await until(() => !hub.connected('w'), 'the hub to see the disconnect');
  await sleep(50);
  hub.off('telemetry', on);
  expect(seen).toEqual([]);
});

it('closes on bytes that are not MQTT', async () => {
  const c = socket();
  c.s.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]));
  await until(() => c.closed, 'the close');
  expect(c.got).toEqual([]);
});
