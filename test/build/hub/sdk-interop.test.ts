// The official Azure IoT device SDK for Node (azure-iot-device 1.18 + azure-iot-device-mqtt 1.16)
// against the local hub, by connection string and the hub's CA file: telemetry with system and
// application properties, a cloud-to-device message, twin get / reported patch / desired
// notification, and a direct method. If the hub spoke anything but IoT Hub's dialect, the SDK
// would refuse it.
import { Client, Message, type Twin } from 'azure-iot-device';
import { Mqtt } from 'azure-iot-device-mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MethodError } from '../../../build/hub/methods.js';
import { connectionString } from '../../../build/hub/registry.js';
import type { Hub, TelemetryEvent } from '../../../build/hub/server.js';
import { sleep, until } from '../../support/wait.js';
import { startTestHub, tempDir } from './rig.js';

let hub: Hub;
let client: Client;
const tmp = tempDir();

beforeAll(async () => {
  hub = await startTestHub(tmp.dir);
  const d = hub.registry.add('sdk-device');
  const cs = connectionString(hub.hubName, d, { host: '127.0.0.1', port: hub.port });
  client = Client.fromConnectionString(cs, Mqtt);
  await client.setOptions({ ca: hub.caPath! });
  await client.open();
}, 30_000);

afterAll(async () => {
  await client?.close();
  await hub.stop();
  tmp.cleanup();
});

it('connects with the connection string the hub hands out', () => {
  expect(hub.connected('sdk-device')).toBe(true);
});

it('sends telemetry with content type, encoding, message id and application properties', async () => {
  const seen: TelemetryEvent[] = [];
  hub.on('telemetry', (e: TelemetryEvent) => seen.push(e));
  const m = new Message(JSON.stringify({ temperature: 21.5 }));
  m.messageId = 'msg-1';
  m.contentType = 'application/json';
  m.contentEncoding = 'utf-8';
  m.properties.add('alert', 'high temp');
  await client.sendEvent(m);
  await until(() => seen.length > 0, 'telemetry at the hub');
  expect(seen[0]!.deviceId).toBe('sdk-device');
  expect(seen[0]!.props).toEqual({ '$.mid': 'msg-1', '$.ct': 'application/json', '$.ce': 'utf-8', alert: 'high temp' });
  expect(JSON.parse(seen[0]!.body.toString())).toEqual({ temperature: 21.5 });
});

it('receives a cloud-to-device message with its properties and completes it', async () => {
  const got: Message[] = [];
  client.on('message', (msg: Message) => {
    got.push(msg);
    void client.complete(msg);
  });
  const sent = hub.sendC2d('sdk-device', Buffer.from('open the valve'), { '$.ct': 'text/plain', valve: '3' });
  await until(() => got.length > 0, 'the C2D message at the SDK');
  const msg = got[0]!;
  expect(msg.getData().toString()).toBe('open the valve');
  expect(msg.messageId).toBe(sent.mid);
  expect(msg.contentType).toBe('text/plain');
  expect(msg.to).toBe('/devices/sdk-device/messages/devicebound');
  expect(msg.properties.getValue('valve')).toBe('3');
  await until(() => hub.c2d.pending('sdk-device').length === 0, 'the PUBACK to clear the queue');
});

it('gets the twin, patches reported properties and hears desired changes', async () => {
  const twin: Twin = await client.getTwin();
  expect(twin.properties.desired.$version).toBe(1);
  const desired: Record<string, unknown>[] = [];
  twin.on('properties.desired', (d: Record<string, unknown>) => desired.push(d));
  await new Promise<void>((ok, fail) => twin.properties.reported.update({ firmware: '1.2.3', sensors: { t: true } }, (e?: Error) => (e ? fail(e) : ok())));
  expect(hub.getTwin('sdk-device').reported).toEqual({ firmware: '1.2.3', sensors: { t: true }, $version: 2 });
  const v = hub.updateDesired('sdk-device', { interval: 30 });
  await until(() => desired.some((d) => d.interval === 30), 'the desired patch at the SDK');
  expect(desired.find((d) => d.interval === 30)!.$version).toBe(v);
  expect(twin.properties.desired.interval).toBe(30);
});

it('answers a direct method', async () => {
  client.onDeviceMethod('reboot', (req, res) => {
    res.send(200, { accepted: true, delay: (req.payload as { delay: number }).delay }, () => {});
  });
  // The SDK subscribes in the background; until it has, the hub answers 404 as IoT Hub does.
  let r: Awaited<ReturnType<Hub['invoke']>> | undefined;
  for (let i = 0; i < 200 && !r; i++) {
    try {
      r = await hub.invoke('sdk-device', 'reboot', { delay: 5 }, 10_000);
    } catch (e) {
      if (!(e instanceof MethodError) || e.status !== 404) throw e;
      await sleep(25);
    }
  }
  expect(r).toEqual({ status: 200, payload: { accepted: true, delay: 5 } });
});
