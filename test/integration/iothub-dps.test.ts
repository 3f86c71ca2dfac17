// Provisioning end to end: the device registers with the fake DPS (test/support/fakeDps.ts, on an
// emulated link), which assigns it to the real local hub (build/hub) with the enrollment key as its
// device key; the device then connects to that hub over TLS on 127.0.0.1 (the hub's CA, name
// verified) and sends telemetry that the hub receives. Everything runs in real time; DPS answers
// the register with 202 and retry-after 1, so the one status poll comes a second later.
// The HAL's transport routes by host as DNS would: the DPS endpoint to the link, the hub's name
// to 127.0.0.1 (TLS still checks the certificate against that name), anything else fails the test.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../build/hub/server.js';
import type { Device } from '../../firmware/iothub/device.js';
import { provision } from '../../firmware/iothub/provision.js';
import { arrayLog, createEmulatedHal, nodeTransport, realClock } from '../../hal/emulated/index.js';
import type { Transport } from '../../hal/types.js';
import { FakeDps } from '../support/fakeDps.js';
import { bounded, type LocalHub, localHub } from '../support/hubDevice.js';
import { until } from '../support/wait.js';

const ID = 'dps-dev';
const SCOPE = '0ne0000D1E5';
let h: LocalHub;
let dev: Device | undefined;

beforeAll(async () => {
  h = await localHub();
});

afterAll(async () => {
  dev?.end();
  await h?.close();
});

it('registers with DPS, then connects to the assigned hub with the same key and sends telemetry', async () => {
  const hub = h.hub;
  const key = hub.registry.add(ID).primaryKey;
  const telemetry: TelemetryEvent[] = [];
  hub.on('telemetry', (e: TelemetryEvent) => telemetry.push(e));

  const clock = realClock();
  const dps = new FakeDps(clock, SCOPE, ID, key, { assignedHub: hub.hubName, deviceId: ID });
  dps.polls = 0;
  dps.retryAfter = 1;
  const dials: string[] = [];
  const net = nodeTransport();
  const transport: Transport = {
    connect(o, hd) {
      dials.push(`${o.host}:${o.port}`);
      if (o.host === 'dps.test') return dps.link.transport.connect(o, hd);
      if (o.host !== hub.hubName) throw new Error(`no route to ${o.host}`);
      return net.connect({ ...o, host: '127.0.0.1', servername: o.host }, hd);
    },
  };
  const hal = createEmulatedHal({ clock, transport, log: arrayLog() });

  const errors: string[] = [];
  dev = await bounded(
    new Promise<Device>((ok, fail) =>
      provision(hal, { idScope: SCOPE, registrationId: ID, key, host: 'dps.test' }, { port: hub.port, ca: hub.caPem }, (err, d) =>
        d ? ok(d) : fail(new Error(`provision failed: ${err}`)),
      ),
    ),
    'provisioning',
  );
  // The link delivers the DISCONNECT from a timer, after provision() has called back.
  await until(() => dps.log.length === 3, 'the DPS connection to end');
  expect(dps.log).toEqual([`connect ${ID}`, 'subscribe $dps/registrations/res/#', 'disconnect']);
  expect(dps.requests.map(([, t]) => t.split('/')[2])).toEqual(['PUT', 'GET']);

  dev.on('error', (m) => errors.push(m));
  dev.connect();
  await until(() => dev!.connected, 'the device to connect to the assigned hub');
  expect(hub.connected(ID)).toBe(true);
  expect(dials).toEqual(['dps.test:8883', `${hub.hubName}:${hub.port}`]);

  const sent = new Promise<string | undefined>((done) => dev!.send('{"t":22.5}', { src: 'dps' }, done));
  expect(await bounded(sent, 'the PUBACK')).toBeUndefined();
  await until(() => telemetry.length === 1, 'the telemetry at the hub');
  expect(telemetry[0]!.deviceId).toBe(ID);
  expect(telemetry[0]!.props).toEqual({ src: 'dps' });
  expect(telemetry[0]!.body.toString('utf8')).toBe('{"t":22.5}');
  expect(errors).toEqual([]);
});
