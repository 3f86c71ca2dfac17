// The memory runs: each client loaded from Storage, connected and subscribed to mosquitto, and
// the iothub-sensor app connected to the local hub; and the instruction counts.
import mqtt from 'mqtt';
import { rm } from 'node:fs/promises';
import { connect as tlsConnect } from 'node:tls';
import { deviceConnectionString, localHub } from '../../support/hubDevice.js';
import { countInstructions, flashWith, type MemoryResult, memoryRun } from './measure.js';
import { appMemory, type Client, espruinoMqttMemory, expectedPublish, instructionProgram, type Op, PAYLOAD, tinyiotCoreMemory, tinyMqttMemory, TOPIC } from './programs.js';
import type { Anchor, AppBuild } from './subjects.js';

/** The sample is taken this long after the client's subscription is acknowledged. */
const SETTLE_MS = 1000;
const READY_MS = 15_000;

const common = { connect: true, settleMs: SETTLE_MS, readyMs: READY_MS, readyWhat: 'SUBACK', ready: 'suback' as const };

export function coreMemory(bundle: string, port: number, binary: string): Promise<MemoryResult> {
  return memoryRun({ ...common, binary, storage: { core: bundle }, program: tinyiotCoreMemory('core', port) });
}

export function anchorMemory(a: Anchor, port: number, binary: string): Promise<MemoryResult> {
  const program = a.module === 'MQTT' ? espruinoMqttMemory(a.module, port) : tinyMqttMemory(a.module, port);
  return memoryRun({ ...common, binary, storage: { [a.module]: a.code }, program });
}

/** Resolves at the first message on topic (never rejects: a failure shows as a timeout). */
async function firstMessage(port: number, topic: string): Promise<{ seen: Promise<void>; end(): Promise<void> }> {
  const c = mqtt.connect({ host: '127.0.0.1', port, clientId: 'bench-observer', reconnectPeriod: 200 });
  const seen = new Promise<void>((res) => c.once('message', () => res()));
  await new Promise<void>((res, rej) => {
    c.once('connect', () => res());
    c.once('error', rej);
  });
  await c.subscribeAsync(topic, { qos: 0 });
  return { seen, end: async () => void (await c.endAsync(true)) };
}

/** mqtt-blink sends its state right after its SUBACK: the observer's first state message is the signal. */
export async function blinkMemory(app: AppBuild, port: number, binary: string): Promise<MemoryResult> {
  const obs = await firstMessage(port, 'bench/blink/state');
  const cfg = { host: '127.0.0.1', port, tls: false, clientId: 'bench-blink', topic: 'bench/blink', interval: 3600, qos: 0 };
  try {
    return await memoryRun({
      ...common, binary, ready: obs.seen, readyWhat: 'the first state message (sent after SUBACK)',
      storage: { blink: app.bundle, blinkboot: app.boot, 'tinyiot.json': JSON.stringify(cfg) },
      program: appMemory('blink', 'blinkboot'),
    });
  } finally {
    await obs.end();
  }
}

/** The key type of the certificate a TLS server on the loopback presents ("rsa", "ec"), or "unknown". */
function serverKeyType(port: number): Promise<string> {
  return new Promise((res) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      res(s.getPeerX509Certificate()?.publicKey.asymmetricKeyType ?? 'unknown');
      s.destroy();
    });
    s.on('error', () => res('unknown'));
  });
}

/**
 * iothub-sensor against the local hub. The twin's desired interval is set first: once connected
 * the device subscribes, fetches the twin, applies it and reports it back, so the hub's "reported"
 * event marks the end of its start-up. The telemetry interval (1 h) keeps sends out of the window.
 */
export async function sensorMemory(app: AppBuild, tls: boolean, binary: string): Promise<MemoryResult> {
  const h = await localHub({ tls });
  const id = 'bench-sensor';
  try {
    h.hub.registry.add(id);
    h.hub.updateDesired(id, { interval: 3600 });
    const reported = new Promise<void>((res) => h.hub.on('reported', (e: { deviceId: string }) => e.deviceId === id && res()));
    const cfg = { connectionString: deviceConnectionString(h.hub, id), interval: 3600, ...(tls ? { ca: h.hub.caPem } : { tls: false }) };
    // Espruino's mbedTLS offers RSA key exchanges only: against an EC certificate the handshake
    // fails (-0x7780) and there is no point waiting long.
    const key = tls ? await serverKeyType(h.hub.port) : '';
    // A TLS handshake asks for about 1,500 blocks of flat RAM at once, which the Linux build's first
    // 4,096 blocks may not hold once the app is up (the handshake then never finishes); a board has
    // its whole store from power-up.
    const r = await memoryRun({
      ...common, binary, growStore: tls, ready: reported, readyWhat: 'the twin reported back (connected, subscribed, twin fetched)',
      readyMs: key === 'ec' ? 6000 : READY_MS,
      storage: { sensor: app.bundle, sensorboot: app.boot, 'tinyiot.json': JSON.stringify(cfg) },
      program: appMemory('sensor', 'sensorboot'),
    });
    if (r.error && key === 'ec') r.error = `handshake failed (EC certificate: Espruino's mbedTLS has no ECDSA); ${r.error}`;
    return r;
  } finally {
    await h.close();
  }
}

export const N = 500;
/** The first count, which tells what N = 500 would cost. */
const PILOT = 10;
/**
 * Instructions a counted run may take: about 20 s under callgrind here. An operation so slow that
 * N = 500 would go past it is counted with fewer (the run is deterministic, so the figure per
 * operation barely moves); the result says which N was used.
 */
const BUDGET = 600e6;

export interface IrResult {
  /** Instructions per operation: (count with n operations - count with none) / n. */
  perOp: number;
  n: number;
  check: string;
}

/** What each client's encode and decode must give for the benchmark's packet. */
export function checkResult(client: Client, op: Op, check: string): string | undefined {
  const want = Buffer.from(expectedPublish()).toString('hex');
  if (op === 'decode') return check === `${TOPIC} ${PAYLOAD}` ? undefined : `decoded "${check}", not the packet's topic and payload`;
  // tinyMQTT sets RETAIN on every PUBLISH it sends (0x31): the rest must match.
  const got = client === 'tinymqtt' && check.startsWith('31') ? `30${check.slice(2)}` : check;
  return got === want ? undefined : `encoded ${check.length / 2} bytes ${check.slice(0, 16)}..., not the expected ${want.length / 2}-byte PUBLISH`;
}

/** Instruction counts per operation, for each client and operation given (and of the bare loop). */
export async function instructionCounts(
  files: Record<string, string>,
  jobs: { client: Client; op: Op; storageName: string }[],
  tools: { binary: string; valgrind: string },
): Promise<Map<string, IrResult | Error>> {
  const flashDir = await flashWith(files, tools.binary);
  const out = new Map<string, IrResult | Error>();
  try {
    for (const j of jobs) {
      const key = `${j.client} ${j.op}`;
      try {
        const count = (n: number) => countInstructions({ ...tools, flashDir, program: instructionProgram(j.client, j.op, n, j.storageName) });
        const none = await count(0);
        const pilot = j.client === 'loop' ? undefined : await count(PILOT);
        const guess = pilot ? (pilot.ir - none.ir) / PILOT : 0;
        const n = guess * N <= BUDGET ? N : Math.max(PILOT, Math.floor(BUDGET / guess));
        const many = n === PILOT && pilot ? pilot : await count(n);
        const bad = j.client === 'loop' ? undefined : checkResult(j.client, j.op, many.check);
        out.set(key, bad ? new Error(bad) : { perOp: (many.ir - none.ir) / n, n, check: many.check });
      } catch (e) {
        out.set(key, e as Error);
      }
    }
  } finally {
    await rm(flashDir, { recursive: true, force: true });
  }
  return out;
}
