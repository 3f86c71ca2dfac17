// `tinyiot sim [app]`: builds the app for the simulator and runs the built ES5 bundle in QuickJS on
// the emulated HAL (build/firmware/sim-run.ts) against a real broker or hub.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBoard } from '../boards.js';
import { listApps } from '../firmware/apps.js';
import { parseArgs, UsageError } from '../firmware/args.js';
import { readConfigFile } from '../firmware/config-file.js';
import { buildFirmware } from '../firmware/pipeline.js';
import { simBoard } from '../firmware/sim-board.js';
import { startSim } from '../firmware/sim-run.js';
import { createEmulatedHal, emulatedIo, realClock, stderrLog } from '../../hal/emulated/index.js';
import { openHub } from '../hub/local.js';

/** A local hub of its own (build/hub) in a temp dir, with one device for the simulated board. */
async function localHub(): Promise<{ cfg: Record<string, unknown>; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyiot-sim-hub-'));
  const { hub, connectionString } = await openHub(dir, 'sim-device');
  hub.on('telemetry', (e: { deviceId: string; body: Buffer }) => process.stderr.write(`hub: telemetry from ${e.deviceId}: ${e.body.toString()}\n`));
  hub.on('reported', (e: { deviceId: string; patch: unknown }) => process.stderr.write(`hub: ${e.deviceId} reported ${JSON.stringify(e.patch)}\n`));
  process.stderr.write(`sim: local hub on 127.0.0.1:${hub.port} (TLS), device sim-device\n`);
  return {
    // The key stays in this process: it is never printed.
    cfg: { connectionString, ca: hub.caPem },
    async stop() {
      await hub.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const help = `usage: tinyiot sim [app] [options]

Builds <app> (default: iothub-sensor with --hub, else mqtt-blink) for the simulator and runs the
built ES5 bundle in QuickJS, a separate ES5 engine holding only an ES5 board's globals and the HAL
object, with the board's JsVar store (jsVars x blockSize) as the cap on the heap the firmware grows.
The HAL is the emulated one: node:net/node:tls sockets, real time, memory storage, emulated pins
(LED changes are printed). The firmware's log goes to stderr.

options:
  --board <id>           memory, limits, crypto and pins of this board (default emulator)
  --broker <url>         mqtt://host:port or mqtts://host:port (mqtt-blink)
  --hub <conn string>    an IoT Hub device connection string (iothub-sensor), or 'local': a local
                         hub (build/hub) started for this run, with a device 'sim-device'
  --ca <file.pem>        CA that signed the broker's or hub's certificate
  --config <file.json>   app config (default the app's config.example.json); the flags above override it
  --duration <s>         stop after s seconds (default: run until Ctrl-C)
  --insecure-dev         for boards without TLS (esp8266), as in 'tinyiot build'

apps: ${listApps().join(', ')}`;

const kinds = {
  board: 'string', broker: 'string', hub: 'string', ca: 'string', config: 'string', duration: 'number', 'insecure-dev': 'boolean',
} as const;

function brokerConfig(url: string): Record<string, unknown> {
  const m = /^(mqtts?):\/\/([^/:]+)(?::(\d+))?\/?$/.exec(url);
  if (!m) throw new UsageError(`--broker must look like mqtt://host:port or mqtts://host:port (got '${url}')`);
  const tls = m[1] === 'mqtts';
  return { host: m[2], port: m[3] ? Number(m[3]) : tls ? 8883 : 1883, tls };
}

export async function run(argv: string[]): Promise<number> {
  let p;
  let cfgOver: Record<string, unknown> = {};
  try {
    p = parseArgs(argv, kinds, 1);
    if (p.flags.broker) cfgOver = brokerConfig(p.flags.broker as string);
    if (p.flags.hub && p.flags.hub !== 'local') {
      if (!/HostName=/i.test(p.flags.hub as string)) throw new UsageError('--hub must be a device connection string (HostName=...;DeviceId=...;SharedAccessKey=...)');
      cfgOver.connectionString = p.flags.hub;
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tinyiot sim: ${e.message}\n\n${help}\n`);
    return 2;
  }
  const f = p.flags;
  const app = p.positionals[0] ?? (f.hub ? 'iothub-sensor' : 'mqtt-blink');
  const board = simBoard(loadBoard((f.board as string | undefined) ?? 'emulator'));
  const base = f.config ? readConfigFile(f.config as string) : undefined;
  if (f.ca) cfgOver.ca = readFileSync(f.ca as string, 'utf8');

  const built = await buildFirmware({ app, board, insecureDev: f['insecure-dev'] === true, progress: (l) => process.stderr.write(`sim: ${l}\n`) });
  if (!built.ok) {
    if (built.report) process.stdout.write(built.report);
    process.stderr.write(`tinyiot sim: ${app} for ${board.id} failed: ${built.error}\n`);
    return 1;
  }
  const hub = f.hub === 'local' ? await localHub() : undefined;
  const cfg = { ...(base ?? built.app.example), ...cfgOver, ...hub?.cfg };
  const clock = realClock();
  const io = emulatedIo({ clock });
  io.onWrite((pin, v) => process.stderr.write(`sim: pin ${pin} ${v ? 'on' : 'off'}\n`));
  const hal = createEmulatedHal({ clock, io, log: stderrLog('info', 'firmware') });
  let failed = '';
  let sim;
  try {
    sim = await startSim({
      bundle: built.bundle!, board, cfg, hal,
      onError: (m) => {
        failed ||= m;
        process.stderr.write(`sim: firmware error: ${m}\n`);
      },
    });
  } catch (e) {
    await hub?.stop();
    throw e;
  }
  process.stderr.write(`sim: running ${app} (${built.budget!.bytes} B bundle) on ${board.id}${f.duration ? ` for ${f.duration} s` : '; Ctrl-C stops'}\n`);
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      process.removeListener('SIGINT', done);
      resolve();
    };
    const t = f.duration ? setTimeout(done, (f.duration as number) * 1000) : undefined;
    process.once('SIGINT', done);
  });
  const h = sim.heap();
  sim.stop();
  await hub?.stop();
  process.stderr.write(`sim: stopped; firmware heap ${h.peak} B at its highest over the loaded bundle (cap ${board.jsVars * board.blockSize} B)\n`);
  return failed ? 1 : 0;
}
