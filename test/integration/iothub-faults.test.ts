// Our IoT Hub device against the local hub over TLS, when things go wrong: a wrong key, a client
// that tries to reach another device's topics, and a hub restart in the middle of a stream of
// QoS 1 telemetry. Real sockets on 127.0.0.1, the hub's CA, certificates verified.
import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub, TelemetryEvent } from '../../build/hub/server.js';
import { deviceResourceUri, sasToken } from '../../firmware/iothub/sas.js';
import { VirtualClock } from '../../hal/emulated/clock.js';
import { nodeCrypto } from '../../hal/emulated/crypto.js';
import { bounded, hubDevice, type LocalHub, localHub, type TestDevice } from '../support/hubDevice.js';
import { until } from '../support/wait.js';

// Fast reconnects, so that the retries after a refusal, and their pace, show within a short virtual period.
const FAST = { backoffMin: 20, backoffMax: 100 };

let h: LocalHub;
const devices: TestDevice[] = [];
const clients: MqttClient[] = [];
const logs: string[] = [];
const telemetry: TelemetryEvent[] = [];
const disconnected: { deviceId: string; reason: string }[] = [];

function watch(hub: Hub): void {
  hub.on('log', (l: string) => logs.push(l));
  hub.on('telemetry', (e: TelemetryEvent) => telemetry.push(e));
  hub.on('disconnected', (e) => disconnected.push(e));
}

beforeAll(async () => {
  h = await localHub();
  for (const id of ['wrong-key', 'dev-a', 'dev-b']) h.hub.registry.add(id);
  watch(h.hub);
});

afterAll(async () => {
  for (const d of devices) d.end();
  for (const c of clients) c.end(true);
  await h?.close();
});

const track = (d: TestDevice) => (devices.push(d), d);

describe('a wrong key', () => {
  it('is refused with "not authorized (rc 5)", never connects, and is retried once per backoff delay, not in a storm', async () => {
    const bad = randomBytes(32).toString('base64');
    // The device's timers run on a virtual clock set to the real time (its tokens stay valid for
    // the hub): instead of waiting to see that nothing happens, the test moves its time on.
    const vc = new VirtualClock(Math.floor(Date.now() / 1000));
    const d = track(hubDevice(h.hub, 'wrong-key', { wrongKey: bad, limits: FAST, clock: vc }));
    const codes: number[] = [];
    d.dev.on('refused', (rc) => codes.push(rc));
    const refusal = 'connection refused: not authorized (rc 5)';
    for (let n = 1; n <= 3; n++) {
      await until(() => d.closes.length >= n, `refusal ${n} to close the connection`);
      expect(d.dials).toBe(n);
      // The retry timer (at most backoffMax) fires: one more dial, no more.
      vc.advance(FAST.backoffMax);
    }
    await until(() => d.closes.length >= 4, 'refusal 4');
    expect(d.dials).toBe(4);
    expect(d.errors).toEqual(Array(4).fill(refusal));
    expect(d.closes).toEqual(Array(4).fill(refusal));
    expect(codes).toEqual([5, 5, 5, 5]);
    expect(d.connects).toBe(0);
    const refused = logs.filter((l) => l.startsWith("refused 'wrong-key'"));
    expect(refused[0]).toBe("refused 'wrong-key' (CONNACK 5): token signature does not match the device key");
    expect(h.hub.connected('wrong-key')).toBe(false);
    // Neither side ever prints a key.
    for (const line of [...logs, ...d.errors]) expect(line).not.toContain(bad);
  });
});

describe('one device cannot reach another device’s topics', () => {
  let a: TestDevice;
  let b: TestDevice;
  const bC2d: string[] = [];
  const bCalls: ((status: number, body?: unknown) => void)[] = [];

  /** An MQTT.js client authenticated as `deviceId` with its own valid token, not our firmware. */
  async function rawAs(deviceId: string): Promise<{ c: MqttClient; closed: Promise<void> }> {
    const key = h.hub.registry.get(deviceId)!.primaryKey;
    const c = mqtt.connect(`mqtts://127.0.0.1:${h.hub.port}`, {
      protocolVersion: 4,
      clientId: deviceId,
      username: `${h.hub.hubName}/${deviceId}/?api-version=2021-04-12`,
      password: sasToken(nodeCrypto(), deviceResourceUri(h.hub.hubName, deviceId), key, Math.floor(Date.now() / 1000) + 3600),
      ca: h.hub.caPem,
      rejectUnauthorized: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    clients.push(c);
    c.on('error', () => {});
    const closed = new Promise<void>((ok) => c.once('close', () => ok()));
    await new Promise<void>((ok, fail) => {
      c.once('connect', () => ok());
      c.once('close', () => fail(new Error(`${deviceId} raw client closed before CONNACK`)));
    });
    return { c, closed };
  }

  beforeAll(async () => {
    b = track(hubDevice(h.hub, 'dev-b', { connect: false }));
    b.dev.onC2d((body) => bC2d.push(Buffer.from(body).toString('utf8')));
    b.dev.onMethod('slow', (_p, respond) => bCalls.push(respond));
    b.dev.connect();
    a = track(hubDevice(h.hub, 'dev-a'));
    await Promise.all([a.connected(), b.connected()]);
    // A is a working device; then its identity is taken over by a client that misbehaves.
    await a.send('a legit');
    a.end();
    await until(() => !h.hub.connected('dev-a'), 'dev-a to be gone from the hub');
  });

  it('closes a client of A that subscribes to B’s cloud-to-device topic; B alone gets B’s messages', async () => {
    const { c, closed } = await rawAs('dev-a');
    const got: string[] = [];
    c.on('message', (t) => got.push(t));
    c.subscribe('devices/dev-b/messages/devicebound/#', { qos: 1 }, () => {});
    await bounded(closed, 'the hub to close the client');
    h.hub.sendC2d('dev-b', Buffer.from('for b only'));
    await until(() => bC2d.length === 1, 'B to get its message');
    expect(bC2d).toEqual(['for b only']);
    expect(got).toEqual([]);
    expect(disconnected.at(-1)).toEqual({ deviceId: 'dev-a', reason: "not allowed to subscribe to 'devices/dev-b/messages/devicebound/#'" });
  });

  it('closes a client of A that subscribes to wildcards over every device', async () => {
    for (const filter of ['#', 'devices/+/messages/devicebound/#', 'devices/#']) {
      const { c, closed } = await rawAs('dev-a');
      c.subscribe(filter, { qos: 1 }, () => {});
      await bounded(closed, `the hub to close the client subscribing to ${filter}`);
      expect(disconnected.at(-1)).toEqual({ deviceId: 'dev-a', reason: `not allowed to subscribe to '${filter}'` });
    }
  });

  it('closes a client of A that publishes as B or to B’s devicebound topic; nothing reaches B', async () => {
    const before = telemetry.length;
    for (const topic of ['devices/dev-b/messages/events/', 'devices/dev-b/messages/devicebound/%24.mid=forged']) {
      const { c, closed } = await rawAs('dev-a');
      c.publish(topic, 'forged', { qos: 1 }, () => {});
      await bounded(closed, `the hub to close the client publishing to ${topic}`);
      expect(disconnected.at(-1)).toEqual({ deviceId: 'dev-a', reason: `not allowed to publish to '${topic}'` });
    }
    // B still receives (a round trip through B's subscription), and never saw the forgery.
    h.hub.sendC2d('dev-b', Buffer.from('after the forgery'));
    await until(() => bC2d.length === 2, 'B to get the next message');
    expect(bC2d).toEqual(['for b only', 'after the forgery']);
    expect(telemetry.slice(before)).toEqual([]);
  });

  it('ignores a client of A that answers B’s method calls; B’s own answer wins', async () => {
    const call = h.hub.invoke('dev-b', 'slow', { n: 1 }, 10_000);
    await until(() => bCalls.length === 1, 'B to get the call');
    const { c } = await rawAs('dev-a');
    // Request ids are small hex counters; A guesses them all. Its topics are its own, so the hub
    // keeps the connection and drops the answers.
    for (let rid = 1; rid <= 16; rid++) c.publish(`$iothub/methods/res/200/?$rid=${rid.toString(16)}`, '{"forged":true}', { qos: 1 });
    await new Promise<void>((ok) => c.publish('devices/dev-a/messages/events/', 'probe', { qos: 1 }, () => ok()));
    bCalls[0]!(200, { from: 'b' });
    expect(await call).toEqual({ status: 200, payload: { from: 'b' } });
    expect(b.connects).toBe(1);
    expect(b.errors).toEqual([]);
  });
});

describe('a hub restart in the middle of QoS 1 telemetry', () => {
  it('loses no message: all of 1..N arrive, duplicates allowed and counted', { timeout: 60_000 }, async () => {
    const N = 200;
    const STOP_AT = 30;
    const r = await localHub();
    r.hub.registry.add('stream');
    const port = r.hub.port;
    const seen = new Map<number, number>();
    let stopping: Promise<void> | undefined;
    const count = (e: TelemetryEvent) => {
      const n = Number(e.props.n);
      seen.set(n, (seen.get(n) ?? 0) + 1);
      // Stopped from inside its telemetry event: the hub has taken message STOP_AT but never
      // acknowledges it, and the rest of the in-flight window is cut off mid-stream.
      if (seen.size === STOP_AT && !stopping) stopping = r.stop();
    };
    r.hub.on('telemetry', count);
    const d = track(hubDevice(r.hub, 'stream', { limits: { ...FAST, queueBytes: 64 * 1024 } }));
    let acked = 0;
    const failures: string[] = [];
    const send = (n: number) => d.send(`reading ${n}`, { n: String(n) }).then(() => acked++, (e: Error) => failures.push(e.message));
    try {
      await d.connected();
      // 1..100 stream out until the hub stops at its 30th; 101..140 are sent while it is down;
      // it comes back on the same port and data folder; 141..N follow.
      for (let n = 1; n <= 100; n++) send(n);
      await until(() => !!stopping, `the hub to take ${STOP_AT} messages`);
      await stopping;
      const dialsWhileUp = d.dials;
      for (let n = 101; n <= 140; n++) send(n);
      // The device has found the hub gone (a dial refused) before it comes back.
      await until(() => d.dials > dialsWhileUp, 'the device to dial the stopped hub');
      const again = await r.start();
      expect(again.port).toBe(port);
      again.on('telemetry', count);
      for (let n = 141; n <= N; n++) send(n);
      const state = () => `${acked} acked, ${failures.length} failed, ${d.dials} dials, ${d.connects} connects, last errors: ${d.errors.slice(-2).join('; ')}`;
      await until(() => acked + failures.length === N, `all ${N} PUBACKs`, 20_000).catch((e: Error) => {
        throw new Error(`${e.message} (${state()})`);
      });
      expect(failures).toEqual([]);
      const missing: number[] = [];
      for (let n = 1; n <= N; n++) if (!seen.get(n)) missing.push(n);
      expect(missing).toEqual([]);
      expect(seen.size).toBe(N);
      // The message taken but never acknowledged is sent again; only messages in flight when a
      // connection dropped can arrive twice, at most the in-flight window (8) per lost connection.
      expect(seen.get(STOP_AT)).toBe(2);
      const duplicates = [...seen.values()].reduce((s, c) => s + c - 1, 0);
      expect(d.connects).toBeGreaterThanOrEqual(2);
      expect(duplicates).toBeLessThanOrEqual(8 * (d.connects - 1));
    } finally {
      d.end();
      await r.close();
    }
  });
});
