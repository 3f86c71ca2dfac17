// The iothub-sensor firmware on Espruino's own interpreter against the local hub over TLS (the
// certificate Espruino's mbedTLS can use; Espruino does not verify it, the hub checks the device's
// SAS token): telemetry with its property bag, a cloud-to-device message, the twin fetched and a
// desired property applied and reported, a direct method, a hub restart, and SAS renewal with
// short-lived tokens across several renewals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub, TelemetryEvent } from '../../build/hub/server.js';
import { requireEspruino } from '../support/espruino.js';
import { type EspruinoDevice, removeEspruinoBuilds, startEspruinoDevice } from '../support/espruinoDevice.js';
import { deviceConnectionString, type LocalHub, localHub } from '../support/hubDevice.js';
import { until } from '../support/wait.js';

const ID = 'espruino-sensor';
/** Tokens live 12 s and are renewed 6 s before they expire: a renewal every 6 s. */
const TOKEN_TTL = 12;
const RENEW_BEFORE = 6;

describe.skipIf(requireEspruino().missing)('iothub-sensor on Espruino vs the local hub over TLS', () => {
  let h: LocalHub;
  let d: EspruinoDevice;
  const telemetry: TelemetryEvent[] = [];
  const connects: number[] = [];
  const expired: string[] = [];

  /** Records the hub's events; again after a restart, which makes a new hub object. */
  const listen = (hub: Hub) => {
    hub.on('telemetry', (e: TelemetryEvent) => e.deviceId === ID && telemetry.push(e));
    hub.on('connected', (e: { deviceId: string }) => e.deviceId === ID && connects.push(Date.now()));
    hub.on('disconnected', (e: { deviceId: string; reason: string }) => e.reason === 'SAS token expired' && expired.push(e.deviceId));
  };

  beforeAll(async () => {
    h = await localHub();
    h.hub.registry.add(ID);
    listen(h.hub);
    d = await startEspruinoDevice('iothub-sensor', {
      connectionString: deviceConnectionString(h.hub, ID),
      ca: h.hub.caPem,
      interval: 1,
      tokenTtl: TOKEN_TTL,
      renewBefore: RENEW_BEFORE,
    });
  }, 60_000);

  afterAll(async () => {
    await d?.stop();
    await h?.close();
    removeEspruinoBuilds();
  });

  it('connects over TLS with its SAS token and sends telemetry with its property bag', { timeout: 60_000 }, async () => {
    await until(() => telemetry.length >= 2, 'two telemetry messages at the hub', 30_000);
    const t = telemetry[0]!;
    expect(JSON.parse(t.body.toString())).toMatchObject({ seq: 0 });
    expect(t.props).toMatchObject({ '$.ct': 'application/json', '$.ce': 'utf-8' });
    expect(d.logs).toContain("warn: espruino: TLS does not verify the server's certificate (Espruino's mbedTLS runs with VERIFY_NONE)");
  });

  it('takes a cloud-to-device message (and blinks)', { timeout: 30_000 }, async () => {
    const acked = new Promise<void>((res) => h.hub.once('c2d-ack', () => res()));
    const before = d.pins.length;
    h.hub.sendC2d(ID, Buffer.from('hello from the hub: café €'));
    await acked;
    await until(() => d.logs.some((l) => l.includes('C2D message: hello from the hub')), 'the C2D message in the device log');
    await until(() => d.pins.slice(before).includes('B2=1'), 'the LED blink');
  });

  it('applies a desired property and reports it back', { timeout: 30_000 }, async () => {
    const version = h.hub.updateDesired(ID, { interval: 2 });
    const reported = () => h.hub.getTwin(ID).reported.interval as { av?: number } | undefined;
    await until(() => reported()?.av === version, 'the reported interval', 15_000);
    expect(reported()).toMatchObject({ value: 2, ac: 200, av: version });
  });

  it('answers a direct method', { timeout: 30_000 }, async () => {
    const r = await h.hub.invoke(ID, 'blink', { times: 2 }, 15_000);
    expect(r).toMatchObject({ status: 200, payload: { blinking: 2 } });
  });

  it(`renews its ${TOKEN_TTL} s token by reconnecting, several times, never holding an expired one`, { timeout: 60_000 }, async () => {
    const start = connects.length;
    await until(() => connects.length >= start + 3, 'three renewals (reconnects with a fresh token)', 45_000).catch((e) => {
      throw new Error(`${e.message}\ndevice log:\n${d.logs.slice(-30).join('\n')}`);
    });
    expect(expired).toEqual([]);
    expect(d.errors).toEqual([]);
  });

  it('comes back after the hub restarts and keeps sending', { timeout: 60_000 }, async () => {
    await h.stop();
    listen(await h.start());
    const n = telemetry.length;
    await until(() => telemetry.length >= n + 2, 'telemetry after the hub restarted', 45_000);
    expect(d.errors).toEqual([]);
    expect(d.device.memory().peak).toBeLessThan(d.device.memory().cap);
  });
});
