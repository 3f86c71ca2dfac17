// The build's start-up check on Espruino's own interpreter (smoke.ts uses it when one is found):
// the bundle is written to Storage and evaluated from there, as a board boots .bootcde, so its
// function text stays in flash; then the boot line starts it over stand-ins for what the host
// cannot be (sockets, the Wifi module, pins, a modem UART: stub-env.ts espruinoStandIns) and the
// interpreter's own Storage (the config as tinyiot.json), crypto, timers and E. The figures are
// blocks, process.memory().usage after its garbage collection, over the interpreter before
// loading: with the bundle loaded, and once main() has started and the events it queued have run.
// A block holds one variable, one property or one piece of a string on every build, so the counts
// carry over to boards (strings take a little fewer here: a block is 27 B on this build, 12-16 B on
// boards).
import type { Board } from '../boards.js';
import { runEspruino } from '../espruino/process.js';
import { CONFIG_FILE } from '../../hal/espruino/boot.js';
import { espruinoStandIns } from './stub-env.js';

export interface EspruinoSmoke {
  ok: boolean;
  error?: string;
  /** What the firmware printed. */
  output: string;
  loadBlocks: number;
  startBlocks: number;
}

/** Harness lines start with this byte, which firmware never prints. */
const MARK = '\x10';
const FILE = 'tinyiot.js';
/** Long enough for the events main() queued to run; firmware timers are seconds away. */
const SETTLE_MS = 50;

export async function smokeOnEspruino(bundle: string, boot: string, b: Board, cfg: object, timeoutMs = 30000): Promise<EspruinoSmoke> {
  const s = espruinoStandIns(b);
  // The bundle is evaluated by the top-level code (so it defines globals, as .bootcde does) and
  // measured there; the boot line runs from a timer, once the harness's own top-level text is freed,
  // and what starting adds is measured against the usage at that moment. The harness functions
  // stay referenced throughout, so their cost is the same in every figure.
  const harness = `
print("${MARK}START");
var __smoke = { base: 0, failed: "" };
${s.setup}
__smoke.base = process.memory().usage;
try { eval(require("Storage").read(${JSON.stringify(FILE)})); }
catch (e) { __smoke.failed = "loading the bundle failed: " + e + "\\n" + (e.stack || ""); }
__smoke.loaded = process.memory().usage - __smoke.base;
__smoke.fail = function () { print("${MARK}ERROR " + __smoke.failed); quit(); };
__smoke.started = function () { print("${MARK}STARTED " + (__smoke.loaded + process.memory().usage - __smoke.before)); quit(); };
__smoke.start = function () {
  __smoke.before = process.memory().usage;
  try { (function (${s.params.join(', ')}) { ${boot} })(${s.args.join(', ')}); }
  catch (e) { __smoke.failed = "main() did not start: " + e + "\\n" + (e.stack || ""); return __smoke.fail(); }
  setTimeout(__smoke.started, ${SETTLE_MS});
};
if (__smoke.failed) __smoke.fail();
else { print("${MARK}LOADED " + __smoke.loaded); setTimeout(__smoke.start, 0); }
`;
  const lines: string[] = [];
  const run = await runEspruino({ storage: { [CONFIG_FILE]: JSON.stringify(cfg), [FILE]: bundle }, boot: harness, onLine: (l) => lines.push(l) });
  const timer = setTimeout(() => void run.stop(), timeoutMs);
  await run.exited;
  clearTimeout(timer);
  await run.stop();
  const output: string[] = [];
  let error: string | undefined, load = 0, start: number | undefined;
  // What the interpreter printed before the harness started (the banner's tail) is not the firmware's.
  for (let i = lines.indexOf(`${MARK}START`) + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.startsWith(MARK)) {
      // Espruino reports an error thrown by a queued event or timer itself.
      if (/^Uncaught /.test(l) && !error) error = `main() did not start: ${l.slice(9)}`;
      output.push(l);
    } else if (l.startsWith(`${MARK}LOADED `)) load = Number(l.slice(MARK.length + 7));
    else if (l.startsWith(`${MARK}STARTED `)) start = Number(l.slice(MARK.length + 8));
    else if (l.startsWith(`${MARK}ERROR `)) {
      const rest: string[] = [];
      while (i + 1 < lines.length && !lines[i + 1]!.startsWith(MARK)) rest.push(lines[++i]!);
      error = [l.slice(MARK.length + 6), ...rest.filter((x) => !/^\s*\^?\s*$/.test(x))].join('\n');
    }
  }
  if (!error && start === undefined) error = `main() did not start: the interpreter ended without finishing (stopped after ${timeoutMs} ms?)`;
  return { ok: !error, error, output: output.length ? output.join('\n') + '\n' : '', loadBlocks: load, startBlocks: start ?? 0 };
}
