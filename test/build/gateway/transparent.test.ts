// A full tinyiot IoT Hub device (firmware/iothub on the emulated HAL, real TLS) through the
// gateway's transparent profile, unchanged: only its connection string's GatewayHostName points
// at the gateway. Telemetry, C2D, the twin and a method work as against the hub itself; a device
// publishing on another device's topics is cut off; a passed-through token is IoT Hub's to judge.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectionString } from '../../../build/hub/registry.js';
import { createDevice, type Device } from '../../../firmware/iothub/index.js';
import { arrayLog, createEmulatedHal, nodeTransport } from '../../../hal/emulated/index.js';
import { seedHubCerts } from '../../support/hubCerts.js';
import { until } from '../../support/wait.js';
import { gatewayRig, lanDevice, type Rig } from './rig.js';
import { token, username } from '../hub/rig.js';

let rig: Rig;
let dev: Device;
const c2d: string[] = [];
const desired: unknown[] = [];

/** The firmware device, its connection string's GatewayHostName at the gateway, trusting the gateway's CA. */
function firmwareDevice(id: string): Device {
  const cs = connectionString(rig.hub.hubName, rig.hub.registry.get(id)!, { host: '127.0.0.1', port: rig.gw.port });
  return createDevice(createEmulatedHal({ transport: nodeTransport(), log: arrayLog() }), { connectionString: cs, ca: rig.gw.caPem });
}

beforeAll(async () => {
  rig = await gatewayRig({ tls: 'self' }, seedHubCerts);
  rig.addDevice('full-1', { profile: 'transparent' });
  dev = firmwareDevice('full-1');
  dev.onC2d((body) => c2d.push(Buffer.from(body).toString()));
  dev.onDesired((patch, version, full) => {
    desired.push(patch);
    if (!full && patch.interval !== undefined) dev.report({ interval: patch.interval, ackVersion: version });
  });
  dev.onMethod('reboot', (payload, respond) => respond(200, { rebooting: true, got: payload }));
  dev.connect();
  await until(() => dev.connected, 'the firmware device to connect through the gateway');
});
afterAll(async () => {
  dev?.end();
  await rig.close();
});

it('sends telemetry with properties under its own id', async () => {
  await new Promise<void>((ok, fail) => dev.send('{"t":20}', { unit: 'C' }, (err) => (err ? fail(new Error(err)) : ok())));
  await until(() => rig.telemetry.length === 1, 'the telemetry at the hub');
  expect(rig.telemetry[0]!.deviceId).toBe('full-1');
  expect(rig.telemetry[0]!.props.unit).toBe('C');
});

it('gets C2D, the twin and a method call as from the hub itself', async () => {
  // The full desired document the device fetches after connecting came through the gateway.
  await until(() => desired.length === 1, 'the twin fetched after connect');
  rig.hub.sendC2d('full-1', Buffer.from('hello'));
  await until(() => c2d.length === 1, 'the C2D message');
  expect(c2d).toEqual(['hello']);

  const reported = new Promise<{ patch: unknown }>((r) => rig.hub.once('reported', r));
  rig.hub.updateDesired('full-1', { interval: 5 });
  expect((await reported).patch).toEqual({ interval: 5, ackVersion: 2 });

  expect(await rig.hub.invoke('full-1', 'reboot', { now: true }, 10_000)).toEqual({ status: 200, payload: { rebooting: true, got: { now: true } } });
});

it("closes a device that publishes on another device's topic", async () => {
  rig.addDevice('full-2', { profile: 'transparent' });
  rig.addDevice('victim', { profile: 'transparent' });
  const d = lanDevice(rig.gw, 'full-2', { username: username(rig.hub, 'full-2'), password: token(rig.hub, 'full-2', rig.hub.registry.get('full-2')!.primaryKey) });
  expect(await d.connack()).toBe(0);
  const before = rig.telemetry.length;
  d.send({ cmd: 'publish', topic: 'devices/victim/messages/events/', payload: Buffer.from('spoof'), qos: 1, messageId: 7, retain: false, dup: false });
  await until(() => d.closed, 'the gateway to close the spoofing device');
  expect(d.packets.some((p) => p.cmd === 'puback')).toBe(false);
  expect(rig.telemetry.slice(before).some((t) => t.deviceId === 'victim')).toBe(false);
});

it("passes a device's own token to IoT Hub, which refuses a bad one", async () => {
  rig.addDevice('relay-1', { profile: 'transparent', passthrough: true });
  const key = rig.hub.registry.get('relay-1')!.primaryKey;
  const good = lanDevice(rig.gw, 'relay-1', { username: username(rig.hub, 'relay-1'), password: token(rig.hub, 'relay-1', key) });
  expect(await good.connack()).toBe(0);
  await until(() => rig.hub.connected('relay-1'), 'relay-1 at the hub');
  good.end();
  const bad = lanDevice(rig.gw, 'relay-1', { username: username(rig.hub, 'relay-1'), password: token(rig.hub, 'relay-1', Buffer.alloc(32, 7).toString('base64')) });
  expect(await bad.connack()).toBe(5);
});
