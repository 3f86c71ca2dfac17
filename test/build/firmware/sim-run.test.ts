// The simulator runs the BUILT bundle in QuickJS on the emulated HAL against a real broker: the
// firmware connects, subscribes, publishes QoS 1 and takes a command; it cannot reach Node.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { buildFirmware } from '../../../build/firmware/pipeline.js';
import { briefError, startSim } from '../../../build/firmware/sim-run.js';
import { arrayLog, createEmulatedHal, emulatedIo, realClock } from '../../../hal/emulated/index.js';
import { connectionString } from '../../../build/hub/registry.js';
import { startHub } from '../../../build/hub/server.js';
import { requireBinary } from '../../support/binary.js';
import { seedHubCerts } from '../../support/hubCerts.js';
import { type Broker, startMosquitto } from '../../support/brokers.js';
import { until } from '../../support/wait.js';

const mosq = requireBinary('mosquitto');
let broker: Broker;
const out = mkdtempSync(join(tmpdir(), 'tinyiot-sim-'));
beforeAll(async () => {
  if (!mosq.missing) broker = await startMosquitto();
}, 30000);
afterAll(async () => {
  await broker?.stop();
  rmSync(out, { recursive: true, force: true });
});

const board = loadBoard('emulator');

describe('startSim', () => {
  it.skipIf(mosq.missing)('runs mqtt-blink against mosquitto: state out (QoS 1), command in, LED on', async () => {
    const built = await buildFirmware({ app: 'mqtt-blink', board, outDir: out });
    expect(built.ok).toBe(true);
    const peer = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'sim-peer' });
    const states: { n: number; led: boolean }[] = [];
    peer.on('message', (_t, p) => states.push(JSON.parse(p.toString())));
    await peer.subscribeAsync('sim/t/state', { qos: 1 });
    const clock = realClock();
    const io = emulatedIo({ clock });
    const log = arrayLog('debug');
    const errors: string[] = [];
    const sim = await startSim({
      bundle: built.bundle!, board, hal: createEmulatedHal({ clock, io, log }), onError: (m) => errors.push(m),
      cfg: { host: '127.0.0.1', port: broker.port, tls: false, clientId: 'sim-fw', topic: 'sim/t', interval: 3600 },
    });
    try {
      await until(() => states.length > 0, 'the first state', 20000);
      await peer.publishAsync('sim/t/cmd', 'on', { qos: 1 });
      await until(() => states.some((s) => s.led), 'the LED state', 20000);
      expect(io.pins.B2).toBe(true);
      expect(errors).toEqual([]);
      expect(log.lines).toContain('info: mqtt-blink: connected to 127.0.0.1');
      expect(sim.heap().peak).toBeGreaterThan(0);
      expect(sim.heap().peak).toBeLessThan(board.jsVars * board.blockSize);
    } finally {
      sim.stop();
      await peer.endAsync();
    }
  }, 60000);

  it('runs iothub-sensor against the local hub: telemetry, desired interval, methods, C2D', async () => {
    const built = await buildFirmware({ app: 'iothub-sensor', board, outDir: out });
    expect(built.ok).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'tinyiot-sim-hub-'));
    await seedHubCerts(dir);
    const hub = await startHub({ dataDir: dir, port: 0, tls: true });
    const d = hub.registry.add('dev1');
    const telemetry: { body: string; props: Record<string, string | null> }[] = [];
    const reported: unknown[] = [];
    hub.on('telemetry', (e: { body: Buffer; props: Record<string, string | null> }) => telemetry.push({ body: e.body.toString(), props: e.props }));
    hub.on('reported', (e: { patch: unknown }) => reported.push(e.patch));
    const clock = realClock();
    const io = emulatedIo({ clock });
    const leds: boolean[] = [];
    io.onWrite((pin, v) => pin === 'B2' && leds.push(v));
    const log = arrayLog('debug');
    const errors: string[] = [];
    const cfg = { connectionString: connectionString(hub.hubName, d, { host: '127.0.0.1', port: hub.port }), ca: hub.caPem, interval: 1 };
    const sim = await startSim({ bundle: built.bundle!, board, cfg, hal: createEmulatedHal({ clock, io, log }), onError: (m) => errors.push(m) });
    try {
      await until(() => telemetry.length > 0, 'telemetry', 20000);
      expect(JSON.parse(telemetry[0]!.body)).toMatchObject({ seq: 0, temperature: expect.any(Number) });
      expect(telemetry[0]!.props).toMatchObject({ '$.ct': 'application/json', '$.ce': 'utf-8' });
      hub.updateDesired('dev1', { interval: 2 });
      await until(() => reported.length > 0, 'the reported interval', 20000);
      expect(reported[0]).toMatchObject({ interval: { value: 2, ac: 200, ad: 'applied' } });
      const res = await hub.invoke('dev1', 'blink', { times: 2 });
      expect(res).toEqual({ status: 200, payload: { blinking: 2 } });
      await until(() => leds.filter((v) => v).length >= 2, 'two blinks', 20000);
      const before = leds.length;
      hub.sendC2d('dev1', Buffer.from('hello board'));
      await until(() => log.lines.includes('info: iothub-sensor: C2D message: hello board'), 'the C2D message', 20000);
      await until(() => leds.length > before, 'a blink for the C2D message', 20000);
      expect(errors).toEqual([]);
    } finally {
      sim.stop();
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90000);

  it('gives the firmware no Node: require, process and setTimeout do not exist in its engine', async () => {
    const hal = createEmulatedHal({ log: arrayLog('debug') });
    const probe = 'var tinyiot={run:function(hal){hal.log.info([typeof require, typeof process, typeof setTimeout, typeof globalThis.Buffer].join(","))}};';
    const log = arrayLog('debug');
    const sim = await startSim({ bundle: probe, board, hal: { ...hal, log }, cfg: {} });
    sim.stop();
    expect(log.lines).toEqual(['info: undefined,undefined,undefined,undefined']);
  });

  it('stops a firmware that grows past the board memory', async () => {
    const errors: string[] = [];
    const hoard = 'var tinyiot={run:function(hal){var a=[];function more(){for(var i=0;i<100;i++)a.push({i:i,s:"x"+i});hal.clock.setTimer(1,more)}more()}};';
    const sim = await startSim({ bundle: hoard, board, hal: createEmulatedHal({ log: arrayLog('debug') }), cfg: {}, onError: (m) => errors.push(m) });
    try {
      await until(() => errors.length > 0, 'the heap cap', 20000);
      expect(errors[0]).toMatch(/heap cap of 92924 bytes exceeded/);
    } finally {
      sim.stop();
    }
  }, 30000);
});

describe('briefError', () => {
  it("makes a QuickJS error one line: the message and the first frame in the bundle, not the host's frames", async () => {
    const bundle = 'var tinyiot={run:function(hal){function deep(){throw new Error("config needs host")}deep()}};';
    const e = await startSim({ bundle, board, hal: createEmulatedHal({ log: arrayLog('debug') }), cfg: {} }).catch((x: Error) => x);
    expect(e).toBeInstanceOf(Error);
    const msg = (e as Error).message;
    expect(msg.split('\n').length).toBeGreaterThan(2);
    expect(briefError(msg)).toMatch(/^Error: config needs host \[at deep \(bundle\.js:1:\d+\)\]$/);
  });

  it('keeps a message without a bundle frame as its first line', () => {
    expect(briefError('heap cap of 10 bytes exceeded (grew 20 bytes over the loaded bundle)\nInternalError: interrupted\n    at <eval> (start.js:1)')).toBe(
      'heap cap of 10 bytes exceeded (grew 20 bytes over the loaded bundle)',
    );
    expect(briefError('TypeError: x is not a function')).toBe('TypeError: x is not a function');
  });
});
