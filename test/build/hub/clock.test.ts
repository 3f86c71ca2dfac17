// The hub's injectable clock (HubOptions.clock): SAS expiry checks, the token-expiry disconnect,
// C2D time to live and telemetry timestamps follow it instead of the wall clock, so a test can
// run hours of token lifetimes in virtual time. Here it is a VirtualClock set a year ahead of
// real time, so a token that is valid by the wall clock is expired for the hub.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HubClock } from '../../../build/hub/conn.js';
import type { Hub, TelemetryEvent } from '../../../build/hub/server.js';
import { deviceResourceUri, sasToken } from '../../../firmware/iothub/sas.js';
import { VirtualClock } from '../../../hal/emulated/clock.js';
import { nodeCrypto } from '../../../hal/emulated/crypto.js';
import { until } from '../../support/wait.js';
import { rawDevice, startTestHub, subscribedDevice, tempDir } from './rig.js';

const YEAR_S = 365 * 86_400;
const vc = new VirtualClock(Math.floor(Date.now() / 1000) + YEAR_S);
const clock: HubClock = {
  now: () => vc.epoch * 1000 + vc.now(),
  setTimer: (ms, fn) => vc.setTimer(ms, fn),
  clearTimer: (id) => vc.clearTimer(id as number),
};
const tmp = tempDir();
let hub: Hub;

beforeAll(async () => {
  hub = await startTestHub(tmp.dir, { clock });
  for (const id of ['x', 'y', 'z']) hub.registry.add(id);
});

afterAll(async () => {
  await hub.stop();
  tmp.cleanup();
});

/** A token for `id` that expires at `se` (epoch seconds). */
const tokenAt = (id: string, se: number) => sasToken(nodeCrypto(), deviceResourceUri(hub.hubName, id), hub.registry.get(id)!.primaryKey, se);

it('checks token expiry against the injected clock, not the wall clock', async () => {
  const wallValid = rawDevice(hub, 'x', { password: tokenAt('x', Math.floor(Date.now() / 1000) + 3600) });
  expect(await wallValid.connack()).toBe(5);
  wallValid.end();
  const hubValid = rawDevice(hub, 'x', { password: tokenAt('x', vc.time() + 3600) });
  expect(await hubValid.connack()).toBe(0);
  hubValid.end();
});

it('closes a connection when its token expires in injected time, not before', async () => {
  const reasons: string[] = [];
  const on = (e: { deviceId: string; reason: string }) => e.deviceId === 'y' && reasons.push(e.reason);
  hub.on('disconnected', on);
  const d = rawDevice(hub, 'y', { password: tokenAt('y', vc.time() + 3600), keepalive: 0 });
  expect(await d.connack()).toBe(0);
  vc.advance(3_599_000);
  // A round trip after the advance: had the expiry timer fired, the close would precede this reply.
  d.send({ cmd: 'pingreq' });
  await d.next((p) => p.cmd === 'pingresp', 'PINGRESP one second before expiry');
  expect(hub.connected('y')).toBe(true);
  vc.advance(1000);
  await d.waitClosed();
  hub.off('disconnected', on);
  expect(reasons).toEqual(['SAS token expired']);
});

it('expires C2D messages and stamps telemetry in injected time', async () => {
  const seen: TelemetryEvent[] = [];
  const on = (e: TelemetryEvent) => seen.push(e);
  hub.on('telemetry', on);
  const before = hub.c2d.expired;
  const m = hub.sendC2d('z', Buffer.from('late'), {}, 60_000);
  expect(m.expires).toBe(clock.now() + 60_000);
  vc.advance(60_000);
  expect(hub.c2d.pending('z')).toEqual([]);
  expect(hub.c2d.expired).toBe(before + 1);

  const d = await subscribedDevice(hub, 'z', ['devices/z/messages/devicebound/#'], { password: tokenAt('z', vc.time() + 3600) });
  d.send({ cmd: 'publish', topic: 'devices/z/messages/events/', payload: Buffer.from('t'), qos: 1, messageId: 1, dup: false, retain: false });
  await d.next((p) => p.cmd === 'puback', 'PUBACK');
  await until(() => seen.length === 1, 'the telemetry event');
  hub.off('telemetry', on);
  expect(seen[0]!.time).toBe(new Date(clock.now()).toISOString());
  expect(d.publishes()).toEqual([]);
  d.end();
});
