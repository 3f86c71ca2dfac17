// The gateway against the local hub over TCP, default profile: telemetry with properties from
// topic levels arrives under the device's own id, C2D reaches the device, a method is answered, a
// desired property is applied and reported back; wrong secrets and unknown devices are refused,
// and no device can publish as another.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../../support/wait.js';
import { gatewayRig, lanDevice, type Rig } from './rig.js';

let rig: Rig;
let secretA: string;
beforeAll(async () => {
  rig = await gatewayRig();
  secretA = rig.addDevice('gw-a');
  rig.addDevice('gw-b');
});
afterAll(() => rig.close());

it('refuses an unknown device with CONNACK 4 and a wrong secret with CONNACK 5', async () => {
  const stranger = lanDevice(rig.gw, 'nobody', { password: secretA });
  expect(await stranger.connack()).toBe(4);
  const wrong = lanDevice(rig.gw, 'gw-a', { password: 'not-the-secret' });
  expect(await wrong.connack()).toBe(5);
  // gw-b's secret is not gw-a's: the secret of one device does not open another.
  const borrowed = lanDevice(rig.gw, 'gw-b', { password: secretA });
  expect(await borrowed.connack()).toBe(5);
  await until(() => stranger.closed && wrong.closed && borrowed.closed, 'refused devices to be closed');
});

it('sends telemetry with properties from topic levels under the device id, and marks unmatched topics', async () => {
  const d = lanDevice(rig.gw, 'gw-a', { password: secretA });
  expect(await d.connack()).toBe(0);
  await d.publish('t/unit=C/room=2', '{"temp":21.5}');
  await d.publish('t', 'plain', 0);
  await d.publish('elsewhere/x', 'odd');
  // A topic naming another device is only a subject of gw-a's own message.
  await d.publish('devices/gw-b/messages/events/', 'spoof');
  await until(() => rig.telemetry.length >= 4, 'four messages at the hub');
  const [first, second, third, fourth] = rig.telemetry;
  expect(rig.telemetry.every((t) => t.deviceId === 'gw-a')).toBe(true);
  expect({ ...first!.props }).toEqual({ unit: 'C', room: '2' });
  expect(first!.body.toString()).toBe('{"temp":21.5}');
  expect(second!.body.toString()).toBe('plain');
  expect({ ...third!.props }).toEqual({ Unmatched: 'true', Subject: 'elsewhere/x' });
  expect({ ...fourth!.props }).toEqual({ Unmatched: 'true', Subject: 'devices/gw-b/messages/events/' });
  d.end();
  await until(() => !rig.gw.connected('gw-a'), 'gw-a to leave');
});

it('turns a retained publish into the mqtt-retain property', async () => {
  const d = lanDevice(rig.gw, 'gw-a', { password: secretA });
  expect(await d.connack()).toBe(0);
  const before = rig.telemetry.length;
  await d.publish('t', 'kept', 1, true);
  await until(() => rig.telemetry.length > before, 'the retained message');
  expect(rig.telemetry.at(-1)!.props['mqtt-retain']).toBe('true');
  d.end();
  await until(() => !rig.gw.connected('gw-a'), 'gw-a to leave');
});

it('delivers C2D, a method call and a desired patch, and takes the answers back', async () => {
  const d = lanDevice(rig.gw, 'gw-a', { password: secretA });
  expect(await d.connack()).toBe(0);
  expect(await d.subscribe(['c', 'd', 'm/#'])).toEqual([1, 1, 1]);
  await until(() => rig.hub.connected('gw-a'), 'gw-a upstream at the hub');

  const acked = new Promise((r) => rig.hub.once('c2d-ack', r));
  rig.hub.sendC2d('gw-a', Buffer.from('led on'));
  const c2d = await d.next((p) => p.cmd === 'publish' && p.topic === 'c', 'the C2D message');
  expect((c2d as { payload: Buffer }).payload.toString()).toBe('led on');
  await acked;

  // The hub's method call waits until the gateway has subscribed upstream for the device.
  const result = rig.hub.invoke('gw-a', 'blink', { times: 3 }, 10_000);
  const call = await d.next((p) => p.cmd === 'publish' && p.topic.startsWith('m/blink/'), 'the method call');
  expect(JSON.parse((call as { payload: Buffer }).payload.toString())).toEqual({ times: 3 });
  const rid = (call as { topic: string }).topic.split('/')[2]!;
  await d.publish(`a/${rid}/200`, '{"blinked":3}');
  expect(await result).toEqual({ status: 200, payload: { blinked: 3 } });

  const reported = new Promise<{ patch: unknown }>((r) => rig.hub.once('reported', r));
  rig.hub.updateDesired('gw-a', { interval: 30 });
  const patch = await d.next((p) => p.cmd === 'publish' && p.topic === 'd', 'the desired patch');
  const desired = JSON.parse((patch as { payload: Buffer }).payload.toString()) as { interval: number };
  expect(desired.interval).toBe(30);
  // The device applies it and reports what it now runs with.
  await d.publish('r', JSON.stringify({ interval: desired.interval }));
  expect((await reported).patch).toEqual({ interval: 30 });
  expect(rig.hub.getTwin('gw-a').reported.interval).toBe(30);
  d.end();
});

it('hands the upstream connection to a new connection of the same device, closing the old one', async () => {
  const first = lanDevice(rig.gw, 'gw-a', { password: secretA });
  expect(await first.connack()).toBe(0);
  await until(() => rig.hub.connected('gw-a'), 'gw-a upstream at the hub');
  const second = lanDevice(rig.gw, 'gw-a', { password: secretA });
  expect(await second.connack()).toBe(0);
  await until(() => first.closed, 'the first connection to be closed');
  await second.subscribe(['c']);
  rig.hub.sendC2d('gw-a', Buffer.from('to the second'));
  await second.next((p) => p.cmd === 'publish' && p.topic === 'c', 'the C2D message on the second connection');
  const before = rig.telemetry.length;
  await second.publish('t', 'from the second');
  await until(() => rig.telemetry.length > before, 'telemetry of the second connection');
  second.end();
});
