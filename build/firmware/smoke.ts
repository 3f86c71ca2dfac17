// The build's start-up check: main() must start without throwing, in a real engine, and what
// loading and starting take is measured for the budget (budget.ts).
// - An Espruino board's firmware runs on Espruino's own interpreter when one is found
//   (build/espruino/locate.ts): booted from Storage as the board boots it, figures in blocks, which
//   are the board's JsVars (smoke-espruino.ts).
// - Otherwise, and for the simulator's bundle (hal "emulated", which a host runs), QuickJS runs it
//   in-process over the stand-ins of stub-env.ts. Two runs give heap bytes and what QuickJS holds
//   (the counts jsvars.ts turns into the board's blocks): the bundle loaded (functions defined,
//   nothing started) and the bundle started (HAL, client and app state created). The cap applies
//   to what starting allocates, and is the board's whole JsVar store in bytes: the loaded code is
//   QuickJS bytecode, several times the size of the source, which says nothing about the board
//   (its code cost is estimated in jsvars.ts).
import type { Board } from '../boards.js';
import { countsMinus, type EngineCounts, runInEngine } from '../es5-engines.js';
import { locateEspruino } from '../espruino/locate.js';
import { smokeOnEspruino } from './smoke-espruino.js';
import { espruinoStub, halStub } from './stub-env.js';

export type SmokeEngine = 'espruino' | 'quickjs';

export interface SmokeResult {
  ok: boolean;
  error?: string;
  engine: SmokeEngine;
  /** What the firmware printed (its log lines). */
  output: string;
  /** QuickJS: engine heap with the bundle loaded, over an empty engine (0 on Espruino). */
  loadBytes: number;
  /** QuickJS: engine heap once main() has started, at the cap when it was hit (0 on Espruino). */
  startBytes: number;
  /** Espruino: blocks with the bundle loaded from Storage, over the interpreter before loading. */
  loadBlocks?: number;
  /** Espruino: blocks once main() has started. */
  startBlocks?: number;
  /** Starting took more than the board's whole JsVar store: a budget failure, not a crash. */
  overHeap?: boolean;
  /** What starting main() created in the engine (started minus loaded), for jsvars.ts's startJsVars. */
  startCounts?: EngineCounts;
}

const STARTED = 'TINYIOT-STARTED';

/** Espruino's interpreter for an Espruino board when one is found; QuickJS otherwise. */
export function smokeEngine(b: Board): SmokeEngine {
  return b.hal !== 'emulated' && locateEspruino() ? 'espruino' : 'quickjs';
}

/**
 * bundle: the bundle (defines the global `tinyiot`); boot: the statement that starts it on a board
 * (ignored for hal "emulated", where the host calls tinyiot.run(hal, cfg)).
 */
export async function smokeRun(bundle: string, boot: string, b: Board, cfg: object, engine: SmokeEngine = smokeEngine(b)): Promise<SmokeResult> {
  if (engine === 'espruino') {
    if (b.hal === 'emulated') throw new Error('smokeRun: the simulator bundle (hal "emulated") runs on a host, not on Espruino');
    const r = await smokeOnEspruino(bundle, boot, b, cfg);
    // Blocks are JsVars: more than the board has is a budget failure, as QuickJS's cap is.
    const overHeap = r.ok && r.startBlocks > b.jsVars;
    const error = overHeap ? `starting main() took ${r.startBlocks} blocks, more than the board's ${b.jsVars} JsVars` : r.error;
    return { ...r, ok: r.ok && !overHeap, error, engine, loadBytes: 0, startBytes: 0, overHeap };
  }
  const emulated = b.hal === 'emulated';
  const prelude = emulated ? halStub(cfg) : espruinoStub(b, cfg);
  const go = emulated ? 'tinyiot.run(__hal, __cfg);' : boot;
  const loaded = await runInEngine(prelude + bundle, { engine: 'quickjs', script: 'sampleHeap();' });
  if (!loaded.ok) return { ok: false, engine, error: `loading the bundle failed: ${loaded.error}`, output: loaded.output, loadBytes: loaded.peakBytes ?? 0, startBytes: 0 };
  const heapBytes = (loaded.peakBytes ?? 0) + b.jsVars * b.blockSize;
  const r = await runInEngine(prelude + bundle, { engine: 'quickjs', script: `${go}\nsampleHeap();\nprint(${JSON.stringify(STARTED)});`, heapBytes });
  const started = r.ok && r.output.includes(STARTED);
  const overHeap = !started && /heap budget of \d+ bytes exceeded/.test(r.error ?? '');
  return {
    overHeap,
    ok: started,
    engine,
    error: started ? undefined : `main() did not start: ${r.error ?? 'no start marker'}`,
    output: r.output.replace(`${STARTED}\n`, ''),
    loadBytes: loaded.peakBytes ?? 0,
    startBytes: r.peakBytes ?? 0,
    startCounts: r.counts && loaded.counts && countsMinus(r.counts, loaded.counts),
  };
}
