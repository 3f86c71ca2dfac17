// `tinyiot sim [app]`: builds the app for the simulator and runs the built ES5 bundle in QuickJS on
// the emulated HAL (build/firmware/sim-run.ts) against a real broker or hub. Config mistakes are
// caught on the host first (build/firmware/sim-config.ts); the exit code says whether the device
// got through (build/firmware/sim-watch.ts), so a script or test can rely on it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Board, loadBoard } from '../boards.js';
import { type App, listApps, loadApp } from '../firmware/apps.js';
import { parseArgs, UsageError } from '../firmware/args.js';
import { readConfigFile } from '../firmware/config-file.js';
import { buildFirmware } from '../firmware/pipeline.js';
import { simBoard } from '../firmware/sim-board.js';
import { brokerConfig, connectionStringProblem, redactUrl } from '../firmware/sim-config.js';
import { briefError, type Sim, startSim } from '../firmware/sim-run.js';
import { SIM_EVENTS, type SimEvent, watchTransport } from '../firmware/sim-watch.js';
import { createEmulatedHal, emulatedIo, nodeTransport, realClock, stderrLog } from '../../hal/emulated/index.js';
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
  --broker <url>         mqtt://[user:password@]host:port or mqtts://... (mqtt-blink)
  --hub <conn string>    an IoT Hub device connection string (iothub-sensor), or 'local': a local
                         hub (build/hub) started for this run, with a device 'sim-device'
  --ca <file.pem>        CA that signed the broker's or hub's certificate
  --config <file.json>   app config (default the app's config.example.json); the flags above override it
  --duration <s>         stop after s seconds (default: run until Ctrl-C, or until --until's event)
  --until <event>        stop as soon as it happens: connected (the server accepted the device) or
                         message (the server took the device's first message, e.g. telemetry)
  --tries <n>            give up after the device's n-th failed connection attempt (exit 1 with the
                         reason); by default it keeps retrying, as on a board
  --out <dir>            build output directory (default out)
  --insecure-dev         for boards without TLS (esp8266), as in 'tinyiot build'

Exit code: 0 when the device connected (and, with --until, the event happened) and the firmware
raised no error; 1 otherwise, with the reason (e.g. a refused connection or an untrusted
certificate); 2 for a mistake in the options or the config.

apps: ${listApps().join(', ')}`;

const kinds = {
  board: 'string', broker: 'string', hub: 'string', ca: 'string', config: 'string', duration: 'number', until: 'string', tries: 'number',
  out: 'string', 'insecure-dev': 'boolean',
} as const;

type Flags = Record<string, string | number | boolean | undefined>;

interface Plan {
  app: App;
  board: Board;
  cfg: Record<string, unknown>;
  until?: SimEvent;
}

/** Options and config, checked before anything is built; a mistake throws UsageError (with the help) or Error (one line). */
function plan(f: Flags, appName: string | undefined): Plan {
  const until = f.until as SimEvent | undefined;
  if (until !== undefined && !SIM_EVENTS.includes(until)) throw new UsageError(`--until must be one of ${SIM_EVENTS.join(', ')} (got '${until}')`);
  const over: Record<string, unknown> = f.broker ? brokerConfig(f.broker as string) : {};
  if (f.hub && f.hub !== 'local') over.connectionString = f.hub;
  const app = loadApp(appName ?? (f.hub ? 'iothub-sensor' : 'mqtt-blink'));
  const board = simBoard(loadBoard((f.board as string | undefined) ?? 'emulator'));
  const cfg = { ...(f.config ? readConfigFile(f.config as string) : app.example), ...over };
  if (f.ca) cfg.ca = readFileSync(f.ca as string, 'utf8');
  if (f.hub !== 'local') {
    const bad = connectionStringProblem(cfg, f.hub ? '--hub' : `connectionString in ${(f.config as string | undefined) ?? `${app.name}'s config.example.json`}`);
    if (bad) throw new Error(bad);
  }
  return { app, board, cfg, until };
}

export async function run(argv: string[]): Promise<number> {
  let f: Flags;
  let pl: Plan;
  try {
    const p = parseArgs(argv, kinds, 1);
    f = p.flags;
    pl = plan(f, p.positionals[0]);
  } catch (e) {
    const usage = e instanceof UsageError;
    process.stderr.write(`tinyiot sim: ${(e as Error).message}\n${usage ? `\n${help}\n` : ''}`);
    return 2;
  }
  const { app, board, until } = pl;
  const built = await buildFirmware({
    app: app.name, board, outDir: f.out as string | undefined, insecureDev: f['insecure-dev'] === true, progress: (l) => process.stderr.write(`sim: ${l}\n`),
  });
  if (!built.ok) {
    if (built.report) process.stdout.write(built.report);
    process.stderr.write(`tinyiot sim: ${app.name} for ${board.id} failed: ${built.error}\n`);
    return 1;
  }
  const hub = f.hub === 'local' ? await localHub() : undefined;
  const cfg = { ...pl.cfg, ...hub?.cfg };
  let finish = (_why: string) => undefined as void;
  const tries = f.tries as number | undefined;
  const watch = watchTransport(nodeTransport(), {
    event: (e) => e === until && finish(''),
    failed: () => tries !== undefined && watch.failures >= tries && finish(`${watch.failures} failed attempt${watch.failures > 1 ? 's' : ''}`),
  });
  const clock = realClock();
  const io = emulatedIo({ clock });
  io.onWrite((pin, v) => process.stderr.write(`sim: pin ${pin} ${v ? 'on' : 'off'}\n`));
  const hal = createEmulatedHal({ clock, io, transport: watch, log: stderrLog('info', 'firmware') });
  let failed = '';
  let sim: Sim;
  try {
    sim = await startSim({
      bundle: built.bundle!, board, cfg, hal,
      onError: (m) => {
        failed ||= m;
        process.stderr.write(`sim: firmware error: ${briefError(m)}\n`);
      },
    });
  } catch (e) {
    await hub?.stop();
    process.stderr.write(`tinyiot sim: the firmware did not start: ${briefError((e as Error).message)}\n`);
    return 1;
  }
  const to = typeof cfg.host === 'string' && f.broker ? ` against ${redactUrl(f.broker as string)}` : '';
  const stops = [until ? `until ${until}` : '', f.duration ? `at most ${f.duration} s` : 'Ctrl-C stops'].filter(Boolean);
  process.stderr.write(`sim: running ${app.name} (${built.budget!.bytes} B bundle) on ${board.id}${to}, ${stops.join(', ')}\n`);
  const how = await new Promise<string>((resolve) => {
    const done = (why: string) => {
      clearTimeout(t);
      process.removeListener('SIGINT', int);
      resolve(why);
    };
    const int = () => done('Ctrl-C');
    finish = done;
    const t = f.duration ? setTimeout(() => done(`${f.duration} s`), (f.duration as number) * 1000) : undefined;
    process.once('SIGINT', int);
    if (until && watch.seen[until]) finish('');
    else if (tries !== undefined && watch.failures >= tries) finish(`${watch.failures} failed attempts`);
  });
  const h = sim.heap();
  sim.stop();
  await hub?.stop();
  process.stderr.write(`sim: stopped; firmware heap ${h.peak} B at its highest over the loaded bundle (cap ${board.jsVars * board.blockSize} B)\n`);
  const why = failed
    ? `the firmware failed: ${briefError(failed)}`
    : !watch.seen.connected
      ? `the device never connected (stopped after ${how}): ${redactUrl(watch.problem ?? (watch.attempts ? 'no answer to its CONNECT' : 'it made no connection attempt'))}`
      : until && !watch.seen[until]
        ? `no ${until} before it stopped (after ${how})`
        : '';
  if (why) process.stderr.write(`tinyiot sim: ${why}\n`);
  return why ? 1 : 0;
}
