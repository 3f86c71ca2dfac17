// `tinyiot demo`: the whole IoT Hub flow on this machine with no account and no hardware. The local
// hub (build/hub) over TLS, the iothub-sensor firmware built as for a board and run by the
// simulator, and the service side driven as an operator would (build/demo/operator.ts); a summary
// of five checks decides the exit code.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { escapeText } from '../../firmware/iothub/ids.js';
import { parseArgs, UsageError } from '../firmware/args.js';
import { briefError } from '../firmware/sim-run.js';
import type { Hub, TelemetryEvent } from '../hub/server.js';
import { Abort, runChecks, summaryTable, verdict } from '../demo/checks.js';
import { redact, tagged, telemetryLine } from '../demo/format.js';
import { INTERVAL, operatorSteps } from '../demo/operator.js';
import { APP, buildSensor, type Device, DEVICE_ID, demoBoard, openDemoHub, startDevice } from '../demo/setup.js';
import type { Board } from '../boards.js';
import { MissingEngine, pickEngine, type SimEngine } from '../firmware/sim-device.js';
import { onStopSignal } from '../stop-signals.js';

export const DEFAULT_KEEP_DIR = '.tinyiot/demo';
const STEP_S = 10;
const FIRST_INTERVAL_S = 1;

export const help = `usage: tinyiot demo [--engine NAME] [--keep-running] [--data DIR] [--board ID] [--timeout S] [--out DIR]

The IoT Hub flow end to end on this machine, with no account and no hardware:
  1. builds firmware/apps/${APP} for the simulator with the pipeline of 'tinyiot build'
  2. starts the local IoT-Hub-compatible hub ('tinyiot hub') on a free loopback port, over TLS
     with its own CA, and registers the device '${DEVICE_ID}'
  3. runs the built firmware on a simulated board, as 'tinyiot sim' does: on Espruino's own
     interpreter, booted from its Storage as a board boots (Espruino's TLS does not verify the
     hub's certificate), or in QuickJS on the emulated HAL, where the firmware checks the hub's
     certificate against that CA
  4. acts as the operator: waits for telemetry, sends a cloud-to-device message, sets the desired
     property interval=${INTERVAL} and waits for the device to report it applied, calls the direct
     method 'blink'
Prints a line per event and a summary of five checks (connected, telemetry flowing, C2D
delivered, desired applied & reported, method answered). Stops by itself; exit 0 only when every
check passed, 1 naming the step that failed and why (e.g. a timeout), 2 for a usage mistake, 130
after Ctrl-C before the checks finished (with --keep-running, Ctrl-C or SIGTERM after them is a
clean stop: 0). Each run empties the demo device's twin and message queue first, so a kept data
folder starts from the same state. No key is ever printed.

options:
  --engine NAME    espruino (Espruino's own interpreter; the default when one is found) or quickjs
  --keep-running   after the checks, keep the hub and the device running (telemetry keeps
                   printing) until Ctrl-C, and print commands to try from another terminal
  --data DIR       the hub's data folder (certificates, registry.json, twins); default a
                   temporary folder removed at the end, or ${DEFAULT_KEEP_DIR} with --keep-running
  --board ID       simulate this board (default emulator; see 'tinyiot boards'): its firmware is
                   built as 'tinyiot build' builds it, and refused as the build refuses it; a
                   board with TLS, as the hub takes TLS only (exit 2 otherwise)
  --timeout S      seconds each check may take (default ${STEP_S})
  --out DIR        where the firmware is built (default out, as 'tinyiot build')`;

const kinds = { engine: 'string', 'keep-running': 'boolean', data: 'string', board: 'string', timeout: 'number', out: 'string' } as const;
const INTERRUPTED = 'interrupted (Ctrl-C)';

const out = (s: string) => process.stdout.write(s + '\n');
const say = (tag: string, msg: string) => out(tagged(tag, msg));
const shown = (p: string) => (isAbsolute(p) && !relative(process.cwd(), p).startsWith('..') ? relative(process.cwd(), p) || '.' : p);
const shq = (s: string) => (/^[\w./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export async function run(argv: string[]): Promise<number> {
  let f;
  let picked;
  try {
    f = parseArgs(argv, kinds, 0).flags;
    picked = pickEngine(f.engine as string | undefined);
  } catch (e) {
    if (e instanceof MissingEngine) {
      process.stderr.write(`tinyiot demo: ${e.message}\n`);
      return 1;
    }
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tinyiot demo: ${e.message}\n\n${help}\n`);
    return 2;
  }
  const board = demoBoard((f.board as string | undefined) ?? 'emulator');
  if (picked.note) say('demo', picked.note);
  const keep = f['keep-running'] === true;
  const temp = !f.data && !keep;
  const dataDir = (f.data as string | undefined) ?? (keep ? DEFAULT_KEEP_DIR : mkdtempSync(join(tmpdir(), 'tinyiot-demo-')));
  const abort = new Abort();
  const offSignals = onStopSignal(() => abort.fire(INTERRUPTED));
  try {
    return await demo({ engine: picked.engine, dataDir, keep, board, outDir: f.out as string | undefined, ms: ((f.timeout as number | undefined) ?? STEP_S) * 1000, abort });
  } finally {
    offSignals();
    if (temp) rmSync(dataDir, { recursive: true, force: true });
  }
}

interface DemoOptions {
  engine: SimEngine;
  dataDir: string;
  keep: boolean;
  board: Board;
  outDir?: string;
  /** Time each check may take. */
  ms: number;
  abort: Abort;
}

async function demo({ engine, dataDir, keep, board, outDir, ms, abort }: DemoOptions): Promise<number> {
  const on = engine === 'espruino' ? "Espruino's interpreter" : 'QuickJS';
  say('demo', `the local IoT hub, the ${APP} firmware on a simulated ${board.id} board in ${on}, and you as the operator`);
  const built = await buildSensor(board, engine, (l) => say('build', l), outDir);
  if (!built.ok) {
    if (built.report) out(built.report);
    out(`demo FAILED at 'build': ${built.error}`);
    return 1;
  }
  say('build', `${shown(built.output!.script)}: ${built.budget!.bytes} B of ES5, the bundle a board would run`);
  if (abort.reason) return 130;

  const { hub, connectionString } = await openDemoHub(dataDir);
  let quiet = false;
  let telemetry = 0;
  let device: Device | undefined;
  try {
    say('hub', `listening on 127.0.0.1:${hub.port} (TLS, CA ${shown(hub.caPath!)})`);
    say('hub', `device ${DEVICE_ID} registered; its key stays in ${shown(hub.registry.path)} and is never printed`);
    hub.on('log', (l: string) => quiet || say('hub', l));
    hub.on('telemetry', (e: TelemetryEvent) => {
      if (e.deviceId === DEVICE_ID) telemetry++;
      if (!quiet) say('telemetry', telemetryLine(telemetry, e));
    });

    const pins = new EventEmitter();
    const cap = engine === 'espruino' ? `${built.board.jsVars} JsVars` : `${built.board.jsVars * built.board.blockSize} B heap cap`;
    say('device', `starting ${APP} in the simulator (${on}, ${cap}), telemetry every ${FIRST_INTERVAL_S} s`);
    try {
      device = await startDevice(
        engine,
        built,
        { ...built.app.example, connectionString, ca: hub.caPem, interval: FIRST_INTERVAL_S },
        {
          log: (level, m) => quiet || level === 'debug' || say('device', `${level === 'info' ? '' : `${level}: `}${m.replace(`${APP}: `, '')}`),
          pin: (pin, on) => pins.emit('pin', { pin, on }),
          error: (m) => {
            say('device', `firmware error: ${briefError(m)}`);
            abort.fire(`the firmware stopped: ${briefError(m)}`);
          },
        },
      );
    } catch (e) {
      out(`demo FAILED at 'device': the firmware did not start: ${briefError((e as Error).message)}`);
      return 1;
    }

    const checks = await runChecks(operatorSteps({ hub, deviceId: DEVICE_ID, ms, abort, say, telemetry: () => telemetry, device: pins, verifiesHub: engine === 'quickjs' }));
    const v = verdict(checks);
    out('');
    out('summary');
    out(summaryTable(checks));
    const m = device.memory();
    out(m.unit === 'B' ? `  firmware heap at its highest: ${m.peak} B of ${m.cap} B` : `  firmware memory at its highest: ${m.peak} blocks of the board's ${m.cap} JsVars`);
    out(v.line);
    if (!v.ok) return abort.reason === INTERRUPTED ? 130 : 1;
    if (!keep) return 0;

    keepRunningHelp(hub, dataDir, connectionString);
    // From here on the operator is you, in another terminal: show what the device does.
    hub.on('c2d-ack', (e: { messageId: string }) => quiet || say('c2d', `device acked message ${e.messageId}`));
    hub.on('reported', (e: { patch: unknown; version: number }) => quiet || say('twin', `reported ${escapeText(JSON.stringify(e.patch))} (version ${e.version})`));
    pins.on('pin', (e: { pin: string; on: boolean }) => quiet || say('led', `${e.pin} ${e.on ? 'on' : 'off'}`));
    await abort.promise.catch(() => undefined);
    if (abort.reason === INTERRUPTED) {
      say('demo', 'stopping the device and the hub');
      return 0;
    }
    out(`demo stopped: ${abort.reason}`);
    return 1;
  } finally {
    quiet = true;
    await device?.stop();
    await hub.stop();
  }
}

function keepRunningHelp(hub: Hub, dataDir: string, connectionString: string): void {
  const d = shq(shown(dataDir));
  const cli = 'node bin/tinyiot.mjs';
  out('');
  say('demo', `still running until Ctrl-C; telemetry keeps coming every ${INTERVAL} s`);
  say('demo', `device connection string: ${redact(connectionString)}`);
  say('demo', `hub data folder ${d}, CA ${shq(shown(hub.caPath!))}`);
  say('demo', 'try from another terminal:');
  for (const c of [
    `hub send ${DEVICE_ID} "hello again" --data ${d}`,
    `hub desired ${DEVICE_ID} '{"interval":5}' --data ${d}`,
    `hub invoke ${DEVICE_ID} blink '{"times":5}' --data ${d}`,
    `hub twin ${DEVICE_ID} --data ${d}`,
    `hub watch --data ${d}`,
  ]) out(`              ${cli} ${c}`);
  out(`              ${cli} device connection-string ${DEVICE_ID} --data ${d}   (prints the key: keep it private)`);
}
