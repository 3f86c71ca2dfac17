// `tinyiot sim [app]`: builds the app for a simulated board and runs the built firmware against a
// real broker or hub, on Espruino's own interpreter or in QuickJS (build/firmware/sim-device.ts).
// Config mistakes are caught on the host first (build/firmware/sim-config.ts); the exit code says
// whether the device got through (build/firmware/sim-watch.ts), so a script or test can rely on it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Board, boardLimits, loadBoard } from '../boards.js';
import { type App, appArgumentHelp, loadApp } from '../firmware/apps.js';
import { type Parsed, parseArgs, UsageError } from '../firmware/args.js';
import { usageText } from '../usage-error.js';
import { readConfigFile, readFlagFile } from '../firmware/config-file.js';
import { mapStack } from '../bundle-map.js';
import { buildableBoard } from '../firmware/refuse.js';
import { brokerConfig, connectionStringProblem, redactUrl } from '../firmware/sim-config.js';
import { buildForSim, MissingEngine, pickEngine, type SimDevice, type SimEngine, startSimDevice } from '../firmware/sim-device.js';
import { briefError } from '../firmware/sim-run.js';
import { failureNote, SIM_EVENTS, type SimEvent } from '../firmware/sim-watch.js';
import { type Limits, withLimits } from '../../firmware/mqtt/limits.js';
import { openHub } from '../hub/local.js';
import { onStopSignal } from '../stop-signals.js';
import { untrustedServer } from '../tls-trust.js';
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

Builds <app> (default: iothub-sensor with --hub, else mqtt-blink) for the board, exactly as
'tinyiot build' does (so it refuses what the build refuses), and runs the built firmware against a
broker or hub. Two engines:
  espruino  Espruino's own interpreter (the reference engine), booted from its Storage as a board
            boots: Espruino's net, tls, Storage and crypto (a second build, with Espruino's own
            network stack in place of the board's WiFi or modem); the host's pins and sensors.
            Memory in blocks, checked against the board's JsVars. Espruino's TLS does not verify
            the server's certificate. The default when an interpreter is found (TINYIOT_ESPRUINO,
            ../shared/espruino/espruino beside the checkout, or espruino on the PATH).
  quickjs   the board's own build in QuickJS over stand-ins of Espruino's globals: node:net/
            node:tls sockets that always verify the server's certificate, memory storage, emulated
            pins and sensors; a board with an AT modem (pico-esp8266) talks AT to a modem played by
            the host, which dials and runs the TLS, verifying the server with the config's ca as the
            firmware tells it to. The board's JsVar store (jsVars x blockSize)
            caps the heap the firmware grows. The default when no Espruino interpreter is found
            (one line says so).
LED changes are printed; the firmware's log goes to stderr.

options:
  --engine <name>        espruino or quickjs (default: espruino when found, quickjs for a board
                         with an AT modem)
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
  --budget-bytes <n>     as in 'tinyiot build'
  --budget-jsvars <n>    as in 'tinyiot build'

Exit code: 0 when the device connected (and, with --until, the event happened) and the firmware
raised no error; 1 otherwise, with the reason (e.g. a refused connection or an untrusted
certificate); 2 for a mistake in the options or the config.

${appArgumentHelp()}`;

const kinds = {
  engine: 'string', board: 'string', broker: 'string', hub: 'string', ca: 'string', config: 'string', duration: 'number', until: 'string', tries: 'number',
  out: 'string', 'insecure-dev': 'boolean', 'budget-bytes': 'number', 'budget-jsvars': 'number',
} as const;

type Flags = Parsed['flags'];

interface Plan {
  app: App;
  board: Board;
  engine: SimEngine;
  /** Why the engine is QuickJS though none was asked for. */
  note?: string;
  cfg: Record<string, unknown>;
  until?: SimEvent;
  /** The CA the server's certificate is checked against, as a failure names it. */
  caName: string;
}

function caName(f: Flags, app: App, cfg: Record<string, unknown>): string {
  if (f.hub === 'local') return "the local hub's CA";
  if (f.ca) return `--ca ${f.ca}`;
  if (typeof cfg.ca === 'string') return `the "ca" of ${(f.config as string | undefined) ?? `${app.name}'s config.example.json`}`;
  return 'the system\'s trusted CAs: no --ca given and no "ca" in the config';
}

/** Options and config, checked before anything is built; a mistake throws UsageError. */
function plan(f: Flags, appName: string | undefined): Plan {
  const until = f.until as SimEvent | undefined;
  if (until !== undefined && !SIM_EVENTS.includes(until)) throw new UsageError(`--until must be one of ${SIM_EVENTS.join(', ')} (got '${until}')`);
  const over: Record<string, unknown> = f.broker ? brokerConfig(f.broker as string) : {};
  if (f.hub && f.hub !== 'local') over.connectionString = f.hub;
  // A board that cannot run the build as asked is refused as 'tinyiot build' refuses it (exit 2).
  const board = buildableBoard(loadBoard((f.board as string | undefined) ?? 'emulator'), { insecureDev: f['insecure-dev'] === true });
  if (board.gatewayLink) {
    throw new UsageError(
      `board '${board.id}' (${board.name}) speaks MQTT to tinyiot gateway over its ${board.gatewayLink.serial} link, which the simulator ` +
        `does not carry: simulate the app on a board with TCP/IP pointed at a running gateway instead (e.g. --board emulator ` +
        `--broker mqtts://127.0.0.1:8883 --ca <the gateway's ca.pem>); docs/gateway.md has the gateway's side`,
    );
  }
  const { engine, note } = pickEngine(f.engine as string | undefined, board);
  const app = loadApp(appName ?? (f.hub ? 'iothub-sensor' : 'mqtt-blink'));
  const cfg = { ...(f.config ? readConfigFile(f.config as string) : app.example), ...over };
  if (f.ca) cfg.ca = readFlagFile('--ca', f.ca as string);
  if (f.hub !== 'local') {
    const bad = connectionStringProblem(cfg, f.hub ? '--hub' : `connectionString in ${(f.config as string | undefined) ?? `${app.name}'s config.example.json`}`);
    if (bad) throw new UsageError(bad);
  }
  return { app, board, engine, note, cfg, until, caName: caName(f, app, cfg) };
}

function neverConnected(problem: string | undefined, attempts: number, ca: string): string {
  if (!problem) return attempts ? 'no answer to its CONNECT' : 'it made no connection attempt';
  return untrustedServer(problem, ca, '--ca <file.pem> or the config\'s "ca"') ?? problem;
}

const failedAttempts = (n: number): string => `${n} failed attempt${n > 1 ? 's' : ''}`;

export async function run(argv: string[]): Promise<number> {
  let p: Parsed;
  try {
    p = parseArgs(argv, kinds, 1);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(usageText('sim', e.message, help));
    return 2;
  }
  const f = p.flags;
  let pl: Plan;
  try {
    pl = plan(f, p.positionals[0]);
  } catch (e) {
    // A mistake in a value or the config is one line and 2; no engine to run the app on is 1.
    if (!(e instanceof UsageError) && !(e instanceof MissingEngine)) throw e;
    process.stderr.write(`tinyiot sim: ${e.message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
  const { app, board, engine, until } = pl;
  if (pl.note) process.stderr.write(`sim: ${pl.note}\n`);
  if (app.exampleMissing && !f.config) process.stderr.write(`sim: ${app.exampleMissing} not found: the firmware's config is only what --broker, --hub and --ca give\n`);
  const built = await buildForSim({
    app: app.dir ?? app.name, board, engine, outDir: f.out as string | undefined, insecureDev: f['insecure-dev'] === true,
    budgetBytes: f['budget-bytes'] as number | undefined, budgetJsVars: f['budget-jsvars'] as number | undefined,
    progress: (l) => process.stderr.write(`sim: ${l}\n`),
  });
  if (!built.ok) {
    if (built.report) process.stdout.write(built.report);
    process.stderr.write(`tinyiot sim: ${app.name} for ${built.board.id} failed: ${built.error}\n`);
    return 1;
  }
  const hub = f.hub === 'local' ? await localHub() : undefined;
  const cfg = { ...pl.cfg, ...hub?.cfg };
  let finish = (_why: string) => undefined as void;
  const tries = f.tries as number | undefined;
  let failed = '';
  let device: SimDevice;
  // The firmware's limits, as the boot code gives them to the app: the config's, else the board's.
  const limits = cfg.limits ? withLimits(cfg.limits as Partial<Limits>) : boardLimits(board);
  try {
    device = await startSimDevice(engine, built, cfg, {
      log: (level, m) => process.stderr.write(`firmware ${level}: ${m}\n`),
      pin: (pin, v) => process.stderr.write(`sim: pin ${pin} ${v ? 'on' : 'off'}\n`),
      error: (raw) => {
        // The QuickJS simulator runs the bundle as bundle.js: an app of the user's own is named in its source.
        const m = built.map && engine === 'quickjs' ? mapStack(raw, built.bundle!, built.map, ['bundle.js']) : raw;
        failed ||= m;
        process.stderr.write(`sim: firmware error: ${briefError(m)}\n`);
      },
    }, {
      event: (e) => e === until && finish(''),
      // Can come before startSimDevice returns: the watch is the argument, not device.watch.
      failed: (w) => {
        if (tries !== undefined && w.failures >= tries) return finish(failedAttempts(w.failures));
        // Not silent while it waits: the device is in its backoff, and says nothing the host can see.
        process.stderr.write(`sim: ${redactUrl(failureNote(w, limits))}\n`);
      },
    });
  } catch (e) {
    await hub?.stop();
    process.stderr.write(`tinyiot sim: the firmware did not start: ${briefError((e as Error).message)}\n`);
    return 1;
  }
  const watch = device.watch;
  const to = typeof cfg.host === 'string' && f.broker ? ` against ${redactUrl(f.broker as string)}` : '';
  const stops = [until ? `until ${until}` : '', f.duration ? `at most ${f.duration} s` : 'Ctrl-C stops'].filter(Boolean);
  const on = engine === 'espruino' ? "Espruino's interpreter" : 'QuickJS';
  process.stderr.write(`sim: running ${app.name} (${built.budget!.bytes} B bundle) on ${board.id} in ${on}${to}, ${stops.join(', ')}\n`);
  let offSignals = () => {};
  const how = await new Promise<string>((resolve) => {
    const done = (why: string) => {
      clearTimeout(t);
      resolve(why);
    };
    finish = done;
    const t = f.duration ? setTimeout(() => done(`${f.duration} s`), (f.duration as number) * 1000) : undefined;
    offSignals = onStopSignal((signal) => done(signal === 'SIGINT' ? 'Ctrl-C' : signal));
    if (until && watch.seen[until]) finish('');
    else if (tries !== undefined && watch.failures >= tries) finish(failedAttempts(watch.failures));
  });
  const m = device.memory();
  await device.stop();
  await hub?.stop();
  offSignals();
  const used = m.unit === 'B' ? `heap ${m.peak} B at its highest over the loaded bundle (cap ${m.cap} B)` : `memory ${m.peak} blocks at its highest (the board has ${m.cap} JsVars)`;
  process.stderr.write(`sim: stopped; firmware ${used}\n`);
  const why = failed
    ? `the firmware failed: ${briefError(failed)}`
    : !watch.seen.connected
      ? `the device never connected (stopped after ${how}): ${redactUrl(neverConnected(watch.problem, watch.attempts, pl.caName))}`
      : until && !watch.seen[until]
        ? `no ${until} before it stopped (after ${how})`
        : '';
  if (why) process.stderr.write(`tinyiot sim: ${why}\n`);
  return why ? 1 : 0;
}
