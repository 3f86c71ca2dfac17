// A simulated board's firmware, started on one of two engines, for `tinyiot sim` and `tinyiot demo`.
// The board's own firmware is always built first, exactly as `tinyiot build` builds it, so the
// simulator refuses what the build refuses, with the same message (buildForSim).
// - espruino: Espruino's own interpreter (the reference engine), booted from its Storage as a board
//   boots, with its own net, tls, Storage and crypto; pins and sensors are the host's
//   (sim-espruino.ts). A second build for it: the interpreter runs on a PC, so it gets Espruino's
//   own network stack in place of the board's WiFi or modem. Memory in blocks against the board's JsVars.
// - quickjs: the board's own build in QuickJS. The simulator board (hal "emulated") runs on the
//   host's HAL (sim-run.ts); a board's firmware runs over stand-ins of Espruino's globals whose
//   sockets are the host's (qjs-espruino.ts), and a board with an AT modem talks AT to a FakeModem
//   on the host that dials for real and runs the TLS (hal/emulated/fake-modem*.ts). node:tls always
//   verifies certificates. Memory in bytes against jsVars x blockSize.
// When no engine is asked for, Espruino is used if an interpreter is found; otherwise QuickJS, and
// the caller shows the note saying so.
import type { Board } from '../boards.js';
import { HOW_TO_GET, locateEspruino } from '../espruino/locate.js';
import { type Build, buildFirmware } from './pipeline.js';
import { runBoardFirmware } from './qjs-espruino.js';
import { startEspruinoSim, type Level } from './sim-espruino.js';
import { startSim } from './sim-run.js';
import { connectionWatch, watchDialer, watchTransport, type Watch, type WatchHooks } from './sim-watch.js';
import { UsageError } from './args.js';
import { createEmulatedHal, emulatedIo, nodeTransport, realClock } from '../../hal/emulated/index.js';
import { netDialer } from '../../hal/emulated/fake-modem-dial.js';
import { fakeBg96 } from '../../hal/emulated/fake-modem-bg96.js';
import { fakeEsp8266 } from '../../hal/emulated/fake-modem-esp8266.js';
import type { Log } from '../../hal/types.js';

/** Sensors the host feeds to firmware on Espruino, and how often. */
const SENSORS = ['temp', 'humidity'];
const SENSOR_MS = 1000;

export const SIM_ENGINES = ['espruino', 'quickjs'] as const;
export type SimEngine = (typeof SIM_ENGINES)[number];

/** Asked for Espruino where there is no interpreter: a missing tool (exit 1), not a usage mistake. */
export class MissingEngine extends Error {}

/**
 * The engine to run on; note is set when the default is QuickJS: no interpreter was found, or the
 * board has an AT modem, which only QuickJS simulates (Espruino's interpreter on a PC would run
 * another build, with its own network stack).
 */
export function pickEngine(asked: string | undefined, board?: Board): { engine: SimEngine; note?: string } {
  if (asked !== undefined && !(SIM_ENGINES as readonly string[]).includes(asked)) {
    throw new UsageError(`--engine must be one of ${SIM_ENGINES.join(', ')} (got '${asked}')`);
  }
  const found = locateEspruino();
  if (asked === 'espruino' && !found) throw new MissingEngine(`--engine espruino: no Espruino interpreter found: ${HOW_TO_GET}`);
  if (asked) return { engine: asked as SimEngine };
  if (board?.modem) {
    const why = `${board.id}'s ${board.modem.chip} modem is played by the host in QuickJS, which runs the board's own build`;
    return { engine: 'quickjs', note: `${why} (--engine espruino: Espruino's interpreter, with its own network stack in place of the modem)` };
  }
  if (found) return { engine: 'espruino' };
  return { engine: 'quickjs', note: `no Espruino interpreter found, running on QuickJS instead (${HOW_TO_GET})` };
}

/**
 * The board the firmware is built for on this engine: QuickJS runs the board's own build; Espruino
 * runs the board's Espruino HAL with its own network stack (a WiFi chip or an AT modem has no
 * counterpart on a PC), built into out/<id>.espruino. The board's memory, limits, crypto and pins
 * are kept.
 */
export function engineBoard(b: Board, engine: SimEngine): Board {
  const { modem: _m, ...rest } = b;
  if (engine === 'quickjs') return b;
  return {
    ...rest,
    id: `${b.id.replace(/\.sim$/, '')}.espruino`,
    hal: 'espruino',
    espruinoBoard: 'LINUX',
    network: 'ethernet',
    tls: b.tls === 'none' ? 'none' : 'native',
  };
}

export interface SimBuildOptions {
  app: string;
  board: Board;
  engine: SimEngine;
  outDir?: string;
  insecureDev?: boolean;
  budgetBytes?: number;
  budgetJsVars?: number;
  progress?: (line: string) => void;
}

/**
 * The board's own build (a failure is the build's, word for word), then, for Espruino's
 * interpreter, the build it runs.
 */
export async function buildForSim(o: SimBuildOptions): Promise<Build> {
  const common = { app: o.app, outDir: o.outDir, insecureDev: o.insecureDev, budgetBytes: o.budgetBytes, budgetJsVars: o.budgetJsVars, progress: o.progress };
  const own = await buildFirmware({ ...common, board: o.board });
  if (!own.ok || o.engine === 'quickjs') return own;
  return buildFirmware({ ...common, board: engineBoard(o.board, o.engine), simHost: true });
}

export interface DeviceHooks {
  log(level: Level, msg: string): void;
  /** Pin writes (the LED). */
  pin(pin: string, on: boolean): void;
  /** Uncaught firmware errors and memory over the board's store. */
  error(msg: string): void;
}

export interface SimDevice {
  engine: SimEngine;
  /** The device's connections as the host saw them. */
  watch: Watch;
  /** Memory the firmware used at its highest, and the board's store, in the engine's unit. */
  memory(): { peak: number; cap: number; unit: 'B' | 'blocks' };
  /** Sets what the firmware's io.sense(name) returns. */
  sense(name: string, value: number): void;
  stop(): Promise<void>;
}

/** Starts a successful build of engineBoard(board, engine). Throws when the firmware cannot start. */
export async function startSimDevice(engine: SimEngine, built: Build, cfg: Record<string, unknown>, hooks: DeviceHooks, watchHooks: WatchHooks = {}): Promise<SimDevice> {
  if (!built.ok || !built.bundle || !built.script) throw new Error(`cannot start a failed build (${built.error})`);
  const board = built.board;
  // The host's emulated sensors are the readings on both engines (a slow wave with noise).
  const clock = realClock();
  const io = emulatedIo({ clock });
  if (engine === 'espruino') {
    const watch = connectionWatch(watchHooks);
    const sim = await startEspruinoSim({ script: built.script, board, cfg, hooks, watch });
    const sensors = () => {
      for (const name of SENSORS) sim.sense(name, io.sense(name));
    };
    sensors();
    const feed = setInterval(sensors, SENSOR_MS);
    return {
      engine,
      watch,
      memory: () => ({ peak: sim.memory().peak, cap: sim.memory().cap, unit: 'blocks' }),
      sense: (n, v) => {
        io.setSensor(n, v);
        sim.sense(n, v);
      },
      async stop() {
        clearInterval(feed);
        await sim.stop();
      },
    };
  }
  io.onWrite(hooks.pin);
  const log: Log = {
    debug: (m) => hooks.log('debug', m),
    info: (m) => hooks.log('info', m),
    warn: (m) => hooks.log('warn', m),
    error: (m) => hooks.log('error', m),
  };
  let watch: Watch;
  let fw: { peak(): number; stop(): void };
  if (board.modem) {
    // A modem dials for the board, so its links are the ones watched. Its certificates are
    // "flashed" into it, as on a real ESP8266: the config's CA.
    const links = connectionWatch(watchHooks);
    const ca = typeof cfg.ca === 'string' ? cfg.ca : undefined;
    const modem = { clock, dial: watchDialer(netDialer(), links), flash: { ca } };
    watch = links;
    const serial = board.modem.chip === 'bg96' ? fakeBg96(modem) : fakeEsp8266(modem);
    const run = await runBoardFirmware({ bundle: built.bundle, board, cfg, hal: createEmulatedHal({ clock, io, log }), serial, onError: hooks.error });
    // Powering the modem off hangs up its link, which would otherwise keep the host's socket open.
    fw = { peak: run.peak, stop: () => (run.stop(), serial.reset()) };
  } else {
    const transport = watchTransport(nodeTransport(), watchHooks);
    const hal = createEmulatedHal({ clock, io, log, transport });
    watch = transport;
    if (board.hal === 'emulated') {
      const sim = await startSim({ bundle: built.bundle, board, cfg, hal, onError: hooks.error });
      fw = { peak: () => sim.heap().peak, stop: () => sim.stop() };
    } else fw = await runBoardFirmware({ bundle: built.bundle, board, cfg, hal, onError: hooks.error });
  }
  return {
    engine,
    watch,
    memory: () => ({ peak: fw.peak(), cap: board.jsVars * board.blockSize, unit: 'B' }),
    sense: (n, v) => io.setSensor(n, v),
    async stop() {
      fw.stop();
    },
  };
}
