// Runs a simulated board's firmware on Espruino's own interpreter, booted as a board boots: the
// built script (bundle + boot line) is the Storage file ".bootcde" and the app config is
// "tinyiot.json", as `tinyiot flash` stores them. The firmware uses Espruino's own net, tls, Storage,
// crypto and timers; only the pins and sensors are the host's (hal/espruino/host-io.ts), and its
// connections are reported to the host (hal/espruino/host-watch.ts) so the same watcher as in
// QuickJS tells when the device got through. Memory is counted in blocks (process.memory().usage,
// after a garbage collection), sampled every second by a timer the boot code starts beside the
// firmware, and checked against the board's JsVar store. Sensor readings reach the firmware through
// a file in the interpreter's folder (hal/espruino/host-io.ts). Nothing is typed into the console
// while the firmware runs: when the interpreter is busy (a TLS handshake) its console input
// overflows and typed lines arrive cut.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Board } from '../boards.js';
import { SENSOR_FILE } from '../../hal/espruino/host-io.js';
import { NET_FRAME } from '../../hal/espruino/host-watch.js';

export { NET_FRAME };
import { runEspruino, type EspruinoRun } from '../espruino/process.js';
import type { ConnectionObserver } from './sim-watch.js';

export const IO_FRAME = '\x10tinyiot-io ';
const MEM_FRAME = '\x10tinyiot-mem ';
const BOOT_FAILED = '\x10tinyiot-boot-failed ';
const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export type Level = (typeof LEVELS)[number];

export interface EspruinoSimHooks {
  log(level: Level, msg: string): void;
  /** Pin writes (the LED). */
  pin(pin: string, on: boolean): void;
  /** Uncaught firmware errors, and memory over the board's store. */
  error(msg: string): void;
}

export interface EspruinoSimOptions {
  /** What out/<board>/<app>.js holds for a build with the host parts: bundle plus boot line. */
  script: string;
  board: Board;
  cfg: Record<string, unknown>;
  hooks: EspruinoSimHooks;
  /** Each connection the firmware opens. */
  watch?: { connect(): ConnectionObserver };
  binary?: string;
}

export interface EspruinoSim {
  run: EspruinoRun;
  /** Blocks in use: last sample and highest, and the board's store. */
  memory(): { now: number; peak: number; cap: number };
  /** Sets what the firmware's io.sense(name) returns. */
  sense(name: string, value: number): void;
  stop(): Promise<void>;
}

/** One line from the interpreter, routed to the hooks. Exported for tests. */
export function lineRouter(o: Pick<EspruinoSimOptions, 'hooks' | 'watch'>, memory: (blocks: number) => void): (line: string) => void {
  const conns = new Map<string, ConnectionObserver>();
  let uncaught = false;
  return (text) => {
    // The console may put its prompt in front of a line: a frame counts wherever it starts.
    const at = text.indexOf('\x10');
    const line = at > 0 ? text.slice(at) : text;
    if (line.startsWith(NET_FRAME)) {
      const [n, what, ...rest] = line.slice(NET_FRAME.length).split(' ');
      const arg = rest.join(' ');
      // The first line of a connection starts its observer: one that failed before it opened
      // reports only its error and its close.
      let c = conns.get(n!);
      if (!c) conns.set(n!, (c = o.watch ? o.watch.connect() : nullObserver));
      if (what === 'in') c.fromServer(Buffer.from(arg, 'base64'));
      else if (what === 'out') c.fromDevice(Buffer.from(arg, 'base64'));
      else if (what === 'error') c.error(arg);
      else if (what === 'close') {
        c.closed(arg);
        conns.delete(n!);
      }
      return;
    }
    if (line.startsWith(IO_FRAME)) {
      try {
        const e = JSON.parse(line.slice(IO_FRAME.length)) as { pin: string; value: boolean };
        o.hooks.pin(e.pin, !!e.value);
      } catch {
        o.hooks.log('warn', `unreadable io line from the firmware: ${line.slice(IO_FRAME.length, 80)}`);
      }
      return;
    }
    if (line.startsWith(MEM_FRAME)) return memory(Number(line.slice(MEM_FRAME.length)));
    const level = LEVELS.find((l) => line.startsWith(`${l}: `));
    if (level) {
      uncaught = false;
      return o.hooks.log(level, line.slice(level.length + 2));
    }
    // Espruino prints an uncaught error as "Uncaught Error: ..." followed by its stack: "at" lines,
    // each with the source line and a caret under it. The error is reported once; its stack is
    // dropped up to the next line the firmware logs.
    if (line.startsWith('Uncaught ')) {
      uncaught = true;
      return o.hooks.error(line);
    }
    if (uncaught) return;
    if (line.trim() && line.trim() !== '>') o.hooks.log('info', line.replace(/^>/, ''));
  };
}

const nullObserver: ConnectionObserver = { fromServer() {}, fromDevice() {}, error() {}, closed() {} };

export async function startEspruinoSim(o: EspruinoSimOptions): Promise<EspruinoSim> {
  const cap = o.board.jsVars;
  let bootError = '';
  let now = 0, peak = 0, over = false;
  const memory = (blocks: number) => {
    if (!Number.isFinite(blocks)) return;
    now = blocks;
    peak = Math.max(peak, blocks);
    if (blocks > cap && !over) {
      over = true;
      o.hooks.error(`memory: ${blocks} blocks in use, more than the board's whole store of ${cap} JsVars`);
    }
  };
  const route = lineRouter(o, memory);
  const sample = `function(){print(${JSON.stringify(MEM_FRAME)}+process.memory().usage)}`;
  const run = await runEspruino({
    binary: o.binary,
    storage: { '.bootcde': o.script, 'tinyiot.json': JSON.stringify(o.cfg) },
    // A throw while booting (main() refusing its config) is the firmware not starting, as in QuickJS.
    boot: `(${sample})();setInterval(${sample},1000);` +
      `try{eval(require("Storage").read(".bootcde"))}catch(e){print(${JSON.stringify(BOOT_FAILED)}+e)}`,
    growStore: true,
    onLine: (line) => {
      if (line.startsWith(BOOT_FAILED)) bootError ||= line.slice(BOOT_FAILED.length);
      else route(line);
    },
  });
  if (!(await run.ready) || bootError) {
    await run.stop();
    throw new Error(bootError || "Espruino's interpreter ended before the firmware started");
  }
  const readings: Record<string, number> = {};
  let stopping = false;
  // The interpreter ending by itself is the board dying: a crash (signal) or quit() with no timer left.
  void run.exited.then((code) => {
    if (!stopping) o.hooks.error(`Espruino's interpreter ended (${run.child.signalCode ?? `exit code ${code}`}) while the firmware ran`);
  });
  return {
    run,
    memory: () => ({ now, peak, cap }),
    sense(name, value) {
      readings[name] = value;
      // Replaced whole by a rename, so the firmware never reads half a file.
      const tmp = join(run.dir, `${SENSOR_FILE}.tmp`);
      writeFileSync(tmp, JSON.stringify(readings));
      renameSync(tmp, join(run.dir, SENSOR_FILE));
    },
    stop() {
      stopping = true;
      return run.stop();
    },
  };
}
