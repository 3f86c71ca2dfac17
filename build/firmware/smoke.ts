// The build's start-up check: the bundle runs in a real ES5 engine (QuickJS, in-process) over the
// stand-ins of stub-env.ts and main() must start without throwing. Two runs give the heap figures
// the budget uses: the bundle loaded (functions defined, nothing started) and the bundle started
// (HAL, client and app state created). The cap applies to what starting allocates, and is the
// board's whole JsVar store in bytes: the loaded code is QuickJS bytecode, several times the size
// of the source, which says nothing about the board (its code cost is estimated in jsvars.ts).
import type { Board } from '../boards.js';
import { runInEngine } from '../es5-engines.js';
import { espruinoStub, halStub } from './stub-env.js';

export interface SmokeResult {
  ok: boolean;
  error?: string;
  /** What the firmware printed (its log lines). */
  output: string;
  /** Engine heap with the bundle loaded, over an empty engine. */
  loadBytes: number;
  /** Engine heap once main() has started (at the cap when it was hit). */
  startBytes: number;
  /** Starting took more heap than the board's JsVar store: a budget failure, not a crash. */
  overHeap?: boolean;
}

const STARTED = 'TINYIOT-STARTED';

/**
 * bundle: the bundle (defines the global `tinyiot`); boot: the statement that starts it on a board
 * (ignored for hal "emulated", where the host calls tinyiot.run(hal, cfg)).
 */
export async function smokeRun(bundle: string, boot: string, b: Board, cfg: object): Promise<SmokeResult> {
  const emulated = b.hal === 'emulated';
  const prelude = emulated ? halStub(cfg) : espruinoStub(b, cfg);
  const go = emulated ? 'tinyiot.run(__hal, __cfg);' : boot;
  const loaded = await runInEngine(prelude + bundle, { engine: 'quickjs', script: 'sampleHeap();' });
  if (!loaded.ok) return { ok: false, error: `loading the bundle failed: ${loaded.error}`, output: loaded.output, loadBytes: loaded.peakBytes ?? 0, startBytes: 0 };
  const heapBytes = (loaded.peakBytes ?? 0) + b.jsVars * b.blockSize;
  const r = await runInEngine(prelude + bundle, { engine: 'quickjs', script: `${go}\nsampleHeap();\nprint(${JSON.stringify(STARTED)});`, heapBytes });
  const started = r.ok && r.output.includes(STARTED);
  const overHeap = !started && /heap budget of \d+ bytes exceeded/.test(r.error ?? '');
  return {
    overHeap,
    ok: started,
    error: started ? undefined : `main() did not start: ${r.error ?? 'no start marker'}`,
    output: r.output.replace(`${STARTED}\n`, ''),
    loadBytes: loaded.peakBytes ?? 0,
    startBytes: r.peakBytes ?? 0,
  };
}
