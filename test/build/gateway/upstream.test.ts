// The upstream connection's credentials: the gateway's own SAS tokens are renewed before IoT Hub
// would close the connection on their expiry, and the device never notices; a device whose own
// token was passed through is let go when IoT Hub drops that connection, to come back with a new one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { token, username } from '../hub/rig.js';
import { until } from '../../support/wait.js';
import { gatewayRig, lanDevice, type Rig } from './rig.js';

let rig: Rig;
beforeAll(async () => {
  // 3-second tokens: renewed at 2.4 s, each before the hub's expiry check would close the connection.
  rig = await gatewayRig({ tokenTtlS: 3 });
});
afterAll(() => rig.close());

it("renews the gateway's token by reconnecting, without the device noticing", async () => {
  const secret = rig.addDevice('renew-1');
  let connects = 0;
  rig.hub.on('connected', (e: { deviceId: string }) => e.deviceId === 'renew-1' && connects++);
  const d = lanDevice(rig.gw, 'renew-1', { password: secret });
  expect(await d.connack()).toBe(0);
  await until(() => connects >= 3, 'two renewals of the upstream token', 15_000);
  await d.publish('t', 'after renewals');
  await until(() => rig.telemetry.some((t) => t.deviceId === 'renew-1'), 'telemetry after the renewals');
  expect(d.closed).toBe(false);
  d.end();
});

it('lets a passthrough device go when IoT Hub drops its connection', async () => {
  rig.addDevice('relay-2', { passthrough: true });
  const key = rig.hub.registry.get('relay-2')!.primaryKey;
  const d = lanDevice(rig.gw, 'relay-2', { username: username(rig.hub, 'relay-2'), password: token(rig.hub, 'relay-2', key) });
  expect(await d.connack()).toBe(0);
  await rig.restartHub();
  await until(() => d.closed, 'the gateway to close the passthrough device');
});
