// The operator's steps against the real hub and a hand-driven device (mqtt-packet over TLS), so
// each step's protocol and each way a device can let it down are seen exactly.
import { EventEmitter } from 'node:events';
import type { IPublishPacket, Packet } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Abort } from '../../../build/demo/checks.js';
import { BLINKS, C2D_TEXT, INTERVAL, type OperatorContext, operatorSteps, TELEMETRY_WANTED } from '../../../build/demo/operator.js';
import type { Hub } from '../../../build/hub/server.js';
import { until } from '../../support/wait.js';
import { type RawDevice, startTestHub, subscribedDevice, tempDir } from '../hub/rig.js';

let hub: Hub;
const tmp = tempDir();
let devs: RawDevice[] = [];
let n = 0;

beforeAll(async () => {
  hub = await startTestHub(tmp.dir);
});
afterEach(() => {
  for (const d of devs) d.end();
  devs = [];
});
afterAll(async () => {
  await hub.stop();
  tmp.cleanup();
});

const FILTERS = (id: string) => [`devices/${id}/messages/devicebound/#`, '$iothub/twin/PATCH/properties/desired/#', '$iothub/twin/res/#', '$iothub/methods/POST/#'];

async function setup(ms = 5000) {
  const id = `op${++n}`;
  hub.registry.add(id);
  const lines: string[] = [];
  let telemetry = 0;
  hub.on('telemetry', (e: { deviceId: string }) => e.deviceId === id && telemetry++);
  const ctx: OperatorContext = {
    hub, deviceId: id, ms, abort: new Abort(), device: new EventEmitter(), verifiesHub: true,
    say: (tag, msg) => lines.push(`[${tag}] ${msg}`),
    telemetry: () => telemetry,
  };
  const [connected, flowing, c2d, desired, method] = operatorSteps(ctx);
  return { id, ctx, lines, connected: connected!, flowing: flowing!, c2d: c2d!, desired: desired!, method: method! };
}

async function device(id: string): Promise<RawDevice> {
  const d = await subscribedDevice(hub, id, FILTERS(id));
  devs.push(d);
  return d;
}

const pub = (d: RawDevice, topic: string, payload: string) => d.send({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 0, retain: false, dup: false });
const isPub = (prefix: string) => (p: Packet) => p.cmd === 'publish' && p.topic.startsWith(prefix);
const ridOf = (topic: string) => /\$rid=([^&]+)/.exec(topic)![1]!;
const text = (d: string | (() => string)) => (typeof d === 'function' ? d() : d);

describe('operatorSteps', () => {
  it('passes all five against a device that does its part, and says what happened', async () => {
    const s = await setup();
    const connected = s.connected.run();
    const d = await device(s.id);
    expect(await connected).toContain(`${s.id}, MQTT over TLS`);

    const flowing = s.flowing.run();
    for (let i = 0; i < TELEMETRY_WANTED; i++) pub(d, `devices/${s.id}/messages/events/`, `{"i":${i}}`);
    expect(text(await flowing)).toBe(`${TELEMETRY_WANTED} messages`);

    const c2d = s.c2d.run();
    const m = await d.next<IPublishPacket>(isPub(`devices/${s.id}/messages/devicebound/`), 'the C2D message');
    expect(m.payload.toString()).toBe(C2D_TEXT);
    d.send({ cmd: 'puback', messageId: m.messageId! });
    expect(await c2d).toBe('acknowledged by the device (PUBACK)');

    const desired = s.desired.run();
    const patch = await d.next<IPublishPacket>(isPub('$iothub/twin/PATCH/properties/desired/'), 'the desired patch');
    expect(JSON.parse(patch.payload.toString())).toMatchObject({ interval: INTERVAL });
    const v = Number(/\$version=(\d+)/.exec(patch.topic)![1]);
    pub(d, '$iothub/twin/PATCH/properties/reported/?$rid=7', JSON.stringify({ interval: { value: INTERVAL, ac: 200, av: v, ad: 'applied' } }));
    expect(await desired).toBe(`interval=${INTERVAL} at desired version ${v}`);

    const method = s.method.run();
    const call = await d.next<IPublishPacket>(isPub('$iothub/methods/POST/blink/'), 'the method call');
    expect(JSON.parse(call.payload.toString())).toEqual({ times: BLINKS });
    pub(d, `$iothub/methods/res/200/?$rid=${ridOf(call.topic)}`, `{"blinking":${BLINKS}}`);
    for (let i = 0; i < BLINKS; i++) {
      s.ctx.device.emit('pin', { pin: 'B2', on: true });
      s.ctx.device.emit('pin', { pin: 'B2', on: false });
    }
    expect(await method).toBe('blink → 200, LED blinked');

    expect(s.lines).toEqual([
      `[c2d] sent "${C2D_TEXT}" → device acked`,
      `[twin] desired interval=${INTERVAL} (version ${v}) → reported interval=${INTERVAL}, ac 200 "applied" (reported version ${hub.getTwin(s.id).reported.$version})`,
      `[method] blink {"times":${BLINKS}} → 200 {"blinking":${BLINKS}}`,
      `[led] B2 blinked ${BLINKS} times`,
    ]);
  });

  it('connected: times out naming the device', async () => {
    const s = await setup(50);
    await expect(s.connected.run()).rejects.toThrow(`timed out after 0.05 s waiting for ${s.id} to connect`);
  });

  it('telemetry: a timeout says how many came', async () => {
    const s = await setup(100);
    const d = await device(s.id);
    pub(d, `devices/${s.id}/messages/events/`, '{}');
    await until(() => s.ctx.telemetry() === 1, 'the first telemetry message');
    await expect(s.flowing.run()).rejects.toThrow(`timed out after 0.1 s waiting for ${TELEMETRY_WANTED} telemetry messages (got 1)`);
  });

  it('C2D: fails when the device never acknowledges', async () => {
    const s = await setup(200);
    const d = await device(s.id);
    const c2d = s.c2d.run();
    await d.next(isPub(`devices/${s.id}/messages/devicebound/`), 'the C2D message');
    await expect(c2d).rejects.toThrow('waiting for the device to acknowledge the C2D message');
  });

  it('desired: fails when the device refuses the value', async () => {
    const s = await setup();
    const d = await device(s.id);
    const desired = s.desired.run();
    const patch = await d.next<IPublishPacket>(isPub('$iothub/twin/PATCH/properties/desired/'), 'the desired patch');
    const v = Number(/\$version=(\d+)/.exec(patch.topic)![1]);
    pub(d, '$iothub/twin/PATCH/properties/reported/?$rid=1', JSON.stringify({ interval: { value: 30, ac: 400, av: v, ad: 'no' } }));
    await expect(desired).rejects.toThrow(`the device reported {"value":30,"ac":400,"av":${v},"ad":"no"}, not interval=${INTERVAL} with ac 200`);
  });

  it('method: fails on a status other than 200, and on a device not listening for methods', async () => {
    const s = await setup();
    const d = await device(s.id);
    const method = s.method.run();
    const call = await d.next<IPublishPacket>(isPub('$iothub/methods/POST/blink/'), 'the method call');
    pub(d, `$iothub/methods/res/500/?$rid=${ridOf(call.topic)}`, '{"error":"no LED"}');
    await expect(method).rejects.toThrow('blink answered 500 {"error":"no LED"}');
    expect(s.lines).toEqual(['[method] blink {"times":3} → 500 {"error":"no LED"}']);

    const t = await setup();
    await expect(t.method.run()).rejects.toThrow('is not connected or not subscribed to methods');
  });

  it('an abort ends the waiting step with its reason', async () => {
    const s = await setup();
    const p = s.connected.run();
    s.ctx.abort.fire('interrupted (Ctrl-C)');
    await expect(p).rejects.toThrow('interrupted (Ctrl-C)');
  });
});
