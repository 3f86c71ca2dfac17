// What each board's firmware costs: for both example apps, the bundle bytes, the estimated JsVars
// and their share of the board's budget (from the build, build/firmware/pipeline.ts); then, per
// board, the peak heap of the BUILT mqtt-blink firmware in QuickJS (over the loaded bundle) while it
// connects to mosquitto and answers 100 QoS 1 commands with 100 QoS 1 state publishes. The firmware
// runs over the same Espruino stand-ins as the tests (build/firmware/qjs-espruino.ts), and boards with
// an AT modem talk through a FakeModem that dials the broker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { type Board, listBoards } from '../../build/boards.js';
import { type Build, buildFirmware } from '../../build/firmware/pipeline.js';
import { arrayLog, createEmulatedHal, emulatedIo, realClock } from '../../hal/emulated/index.js';
import { netDialer } from '../../hal/emulated/fake-modem-dial.js';
import { fakeBg96 } from '../../hal/emulated/fake-modem-bg96.js';
import { fakeEsp8266 } from '../../hal/emulated/fake-modem-esp8266.js';
import { type Broker, startMosquitto } from '../support/brokers.js';
import { makePki, type Pki } from '../support/certs.js';
import { runBoardFirmware } from '../../build/firmware/qjs-espruino.js';
import { startSim } from '../../build/firmware/sim-run.js';
import { until } from '../support/wait.js';

const N = 100;
const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`;

function row(b: Board, r: Build): string[] {
  if (!r.budget) return [b.id, r.app.name, '-', '-', '-', (r.error ?? '').split('\n')[0]!.slice(0, 60)];
  const u = r.budget;
  return [b.id, r.app.name, String(u.bytes), `${u.jsVars} (${u.codeJsVars}+${u.runtimeJsVars})`, pct(u.jsVars, u.maxJsVars), r.ok ? 'ok' : u.over[0]!.slice(0, 60)];
}

function print(rows: string[][]): void {
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log('  ' + r.map((x, c) => (c >= 2 && c <= 4 ? x.padStart(w[c]!) : x.padEnd(w[c]!))).join('  ').trimEnd());
}

/**
 * Peak heap growth of the built mqtt-blink while it connects and answers N commands; overCap when
 * it grew past the board's JsVar store (a finding about the firmware, not a failure of the bench).
 */
async function heapRun(b: Board, bundle: string, broker: Broker, pki: Pki): Promise<{ peak: number; overCap: boolean }> {
  const tls = b.tls !== 'none';
  const topic = `bench/${b.id}`;
  const cfg = { host: '127.0.0.1', port: broker.port, tls, ca: tls ? pki.ca.cert : undefined, clientId: `bench-${b.id}`, topic, interval: 3600 };
  const peer = await mqtt.connectAsync(`${tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${broker.port}`, { ca: pki.ca.cert, clientId: `bench-peer-${b.id}` });
  let states = 0;
  peer.on('message', () => states++);
  await peer.subscribeAsync(`${topic}/state`, { qos: 1 });
  const clock = realClock();
  const hal = createEmulatedHal({ clock, io: emulatedIo({ clock }), log: arrayLog('warn') });
  const errors: string[] = [];
  const onError = (m: string) => errors.push(m);
  let run: { peak(): number; stop(): void };
  if (b.hal === 'emulated') {
    const sim = await startSim({ bundle, board: b, cfg, hal, onError });
    run = { peak: () => sim.heap().peak, stop: () => sim.stop() };
  } else {
    const opts = { clock, dial: netDialer(), flash: { ca: pki.ca.cert } };
    const serial = b.modem ? (b.modem.chip === 'bg96' ? fakeBg96(opts) : fakeEsp8266(opts)) : undefined;
    run = await runBoardFirmware({ bundle, board: b, cfg, hal, serial, onError });
  }
  try {
    await until(() => states > 0, `${b.id} to connect`, 30000);
    for (let i = 0; i < N; i++) await peer.publishAsync(`${topic}/cmd`, 'toggle', { qos: 1 });
    await until(() => states > N || errors.length > 0, `${b.id} to answer ${N} commands`, 60000);
    const overCap = errors.length > 0 && /heap cap of \d+ bytes exceeded/.test(errors[0]!);
    if (errors.length && !overCap) throw new Error(errors[0]);
    return { peak: run.peak(), overCap };
  } finally {
    run.stop();
    await peer.endAsync();
  }
}

export async function run(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'tinyiot-bench-boards-'));
  const pki = await makePki();
  const plain = await startMosquitto();
  const secure = await startMosquitto({ tls: { certPath: pki.server.certPath, keyPath: pki.server.keyPath, caPath: pki.ca.certPath } });
  try {
    const boards = listBoards();
    const rows = [['board', 'app', 'bytes', 'JsVars (code+start)', 'budget', 'result']];
    const blink = new Map<string, Build>();
    for (const app of ['mqtt-blink', 'iothub-sensor']) {
      for (const b of boards) {
        const r = await buildFirmware({ app, board: b.id, outDir: out, insecureDev: b.tls === 'none' && b.network !== 'ble' });
        rows.push(row(b, r));
        if (app === 'mqtt-blink') blink.set(b.id, r);
      }
    }
    console.log('bundle bytes, estimated JsVars (code booted from Storage + objects at start) and share of the budget (maxShare x jsVars):');
    print(rows);
    console.log(`peak QuickJS heap over the loaded mqtt-blink bundle while connecting and answering ${N} QoS 1 commands with ${N} QoS 1 publishes:`);
    const heap = [['board', 'transport', 'peak heap', 'cap (jsVars x blockSize)']];
    for (const b of boards) {
      const r = blink.get(b.id)!;
      if (!r.bundle) {
        heap.push([b.id, '-', '-', `not built: ${(r.error ?? '').split('\n')[0]!.slice(0, 50)}`]);
        continue;
      }
      if (b.gatewayLink) {
        // Its MQTT goes over a serial link to tinyiot gateway, not to a broker's port.
        heap.push([b.id, `${b.gatewayLink.serial} link`, '-', 'behind tinyiot gateway: not run here']);
        continue;
      }
      const how = b.hal === 'emulated' ? 'node:tls' : b.modem ? `${b.modem.chip} AT modem` : b.tls === 'none' ? 'net (plain)' : 'tls';
      try {
        const h = await heapRun(b, r.bundle, b.tls === 'none' ? plain : secure, pki);
        heap.push([b.id, how, `${h.overCap ? 'over cap: ' : ''}${h.peak} B`, `${b.jsVars * b.blockSize} B`]);
      } catch (e) {
        heap.push([b.id, how, 'FAILED', (e as Error).message.slice(0, 60)]);
        process.exitCode = 1;
      }
    }
    print(heap);
  } finally {
    await plain.stop();
    await secure.stop();
    pki.cleanup();
    rmSync(out, { recursive: true, force: true });
  }
}
