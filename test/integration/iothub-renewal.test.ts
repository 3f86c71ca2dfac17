// SAS token renewal over a whole virtual day, against the real local hub over TLS: 1-hour tokens
// renewed 15 minutes early, telemetry every virtual minute (1,440 messages), none lost, and no
// connection ever outliving its token.
//
// Technique: one VirtualClock drives both ends. The device's HAL uses it directly (real sockets
// through nodeTransport); the hub gets a view of it (HubOptions.clock: epoch ms = epoch * 1000 +
// clock.now()) for its SAS expiry checks and its token-expiry disconnect. Virtual time moves in
// 1-second ticks, synchronously; real I/O runs only while the loop awaits, so the loop awaits
// whenever the device has real work in flight: after each minute's send until its PUBACK, and
// after any tick that left the device unconnected (a renewal dial) until its CONNACK. Virtual
// time therefore never passes a device deadline (CONNACK within 10 s of the dial) while the real
// reply is still on the wire. The device has no subscriptions and sends more often than its
// keepalive, so no SUBACK or PINGRESP is ever awaited. All waits are bounded, in real time.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../build/hub/server.js';
import { deviceResourceUri, sasToken } from '../../firmware/iothub/sas.js';
import { VirtualClock } from '../../hal/emulated/clock.js';
import { nodeCrypto } from '../../hal/emulated/crypto.js';
import { rawDevice, type RawDevice } from '../build/hub/rig.js';
import { bounded, hubClockOf, hubDevice, type LocalHub, localHub, type TestDevice } from '../support/hubDevice.js';
import { until } from '../support/wait.js';

const DAY_S = 86_400;
const vc = new VirtualClock(Math.floor(Date.now() / 1000));
let h: LocalHub;
let d: TestDevice | undefined;
let control: RawDevice | undefined;

beforeAll(async () => {
  h = await localHub({ clock: hubClockOf(vc) });
  h.hub.registry.add('renew');
  h.hub.registry.add('control');
});

afterAll(async () => {
  d?.end();
  control?.end();
  await h?.close();
});

/** Polls every real millisecond: the loop waits here up to 1,500 times, so the poll must be short. */
async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what} (virtual time ${vc.now() / 1000} s)`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

it('renews 1-hour tokens across 24 virtual hours without losing a message or outliving a token', { timeout: 120_000 }, async () => {
  const seen = new Map<number, number>();
  const expired: string[] = [];
  const hubConnects: string[] = [];
  const refused: string[] = [];
  h.hub.on('telemetry', (e: TelemetryEvent) => e.deviceId === 'renew' && seen.set(Number(e.props.n), (seen.get(Number(e.props.n)) ?? 0) + 1));
  h.hub.on('disconnected', (e: { deviceId: string; reason: string }) => e.reason === 'SAS token expired' && expired.push(e.deviceId));
  h.hub.on('connected', (e: { deviceId: string }) => hubConnects.push(e.deviceId));
  h.hub.on('log', (l: string) => l.startsWith('refused') && refused.push(l));

  // The control: a connection whose 1-hour token is never renewed. The hub must drop it at
  // virtual hour 1, which shows that the expiry check really runs in this virtual day.
  const tok = sasToken(nodeCrypto(), deviceResourceUri(h.hub.hubName, 'control'), h.hub.registry.get('control')!.primaryKey, vc.time() + 3600);
  control = rawDevice(h.hub, 'control', { password: tok, keepalive: 0 });
  expect(await control.connack()).toBe(0);

  const dev = hubDevice(h.hub, 'renew', { clock: vc, tokenTtl: 3600, renewBefore: 900, keepalive: 240 });
  d = dev;
  await dev.connected();

  let minute = 0;
  for (let s = 1; s <= DAY_S; s++) {
    vc.advance(1000);
    if (s % 60 === 0) {
      const n = ++minute;
      // At a renewal tick the device is dialling: this message waits in its outbox meanwhile.
      await bounded(dev.send(`minute ${n}`, { n: String(n) }), `the PUBACK of minute ${n}`);
    }
    if (!dev.dev.connected) await waitFor(() => dev.dev.connected, `the device to reconnect after virtual second ${s}`);
    if (s === 3600) await bounded(control.waitClosed(), 'the hub to drop the control connection at its expiry');
  }

  expect(vc.now()).toBe(DAY_S * 1000);
  await until(() => seen.size === DAY_S / 60, `all ${DAY_S / 60} messages at the hub (${seen.size} so far)`);
  const missing: number[] = [];
  for (let n = 1; n <= DAY_S / 60; n++) if (!seen.get(n)) missing.push(n);
  expect(missing).toEqual([]);
  expect(seen.size).toBe(DAY_S / 60);
  // Renewals: a reconnect every 45 minutes (1 h token, renewed 15 min early) after the first connect.
  const renewals = dev.connects - 1;
  expect(renewals).toBeGreaterThanOrEqual(23);
  expect(hubConnects.filter((id) => id === 'renew')).toHaveLength(dev.connects);
  expect(dev.closes).toEqual(Array(renewals).fill('reconnect'));
  expect(dev.errors).toEqual([]);
  // No connection of the device used an expired token: the hub neither refused one nor dropped one.
  expect(refused).toEqual([]);
  expect(expired).toEqual(['control']);
});
