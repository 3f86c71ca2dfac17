// The `espruino` engine of build/es5-engines.ts: a bundle plus a script run on Espruino's own
// interpreter the way a board runs saved code, evaluated from Storage (see process.ts). The run is
// synchronous like on the other engines: the script's last statement ends it, with no event loop.
//
// Heap: sampleHeap() reads process.memory().usage, which counts blocks (one variable, property or
// piece of a string each) after a garbage collection. Blocks are what carry over to a board; their
// size in bytes does not (27 B on the Linux build, 12-16 B on boards), so the peak is reported in
// blocks (peakBlocks) over what the interpreter used before the bundle was evaluated, and no
// byte figure is given.
import { runEspruino } from './process.js';

export interface EspruinoEngineResult {
  ok: boolean;
  output: string;
  error?: string;
  /** Highest process.memory().usage seen by sampleHeap() (and at the end), minus the usage before loading. */
  peakBlocks?: number;
}

/** Lines the harness prints start with this byte, which firmware and scripts never print. */
const MARK = '\x10';
/** The Storage file the source is evaluated from. */
const FILE = 'es5-run';

// Wrapped in a function so the harness's own names do not land in the script's global scope.
// eval() at the top level runs the source in the global scope, as a board's .bootcde.
const boot = `
print("${MARK}START");
var sampleHeap = (function () {
  var base = process.memory().usage, peak = base;
  function sample() { var u = process.memory().usage; if (u > peak) peak = u; }
  sample.end = function () { sample(); print("${MARK}PEAK " + (peak - base)); };
  return sample;
})();
try { eval(require("Storage").read("${FILE}")); }
catch (e) { print("${MARK}ERROR " + e + "\\n" + (e && e.stack || "")); }
sampleHeap.end();
quit();
`;

export async function runEspruinoEngine(source: string, timeoutMs: number): Promise<EspruinoEngineResult> {
  const lines: string[] = [];
  const run = await runEspruino({ storage: { [FILE]: source }, boot, onLine: (l) => lines.push(l) });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void run.stop();
  }, timeoutMs);
  const code = await run.exited;
  clearTimeout(timer);
  await run.stop();
  let error: string | undefined, peakBlocks: number | undefined;
  const output: string[] = [];
  // Whatever the interpreter printed before the harness started (the banner's tail) is not the script's.
  for (let i = lines.indexOf(`${MARK}START`) + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith(`${MARK}PEAK `)) peakBlocks = Number(l.slice(MARK.length + 5));
    else if (l.startsWith(`${MARK}ERROR `)) {
      // The stack follows, up to the peak line.
      const rest: string[] = [];
      while (i + 1 < lines.length && !lines[i + 1]!.startsWith(MARK)) rest.push(lines[++i]!);
      // Espruino marks the column under each stack line with a caret line: left out.
      error = [l.slice(MARK.length + 6), ...rest.filter((s) => !/^\s*\^?\s*$/.test(s))].join('\n');
    } else output.push(l);
  }
  // Espruino reports an error thrown outside the try (a timer, a syntax error in the harness) itself.
  const uncaught = output.find((l) => /^Uncaught /.test(l));
  if (!error && uncaught) error = uncaught;
  if (timedOut) error = `${error ? `${error}\n` : ''}killed after ${timeoutMs} ms`;
  else if (code !== 0 && !error) error = `espruino exited with ${code}`;
  if (!error && peakBlocks === undefined) error = 'the run ended before the script finished';
  return { ok: !error, output: output.length ? output.join('\n') + '\n' : '', error, peakBlocks };
}
