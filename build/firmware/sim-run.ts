// Runs a built simulator bundle (hal "emulated") in QuickJS: the engine holds only what an ES5 board
// has plus the HAL object handed to main, so the firmware cannot reach Node; the HAL behind it is the
// host's (createEmulatedHal: node:net/node:tls, real clock). Heap growth after the bundle loaded is
// capped at the board's JsVar store in bytes (jsVars x blockSize).
// Why QuickJS and not a node:vm context: vm shares Node's heap, so no memory cap can be applied, and
// its globals leak host objects through prototypes; QuickJS is a separate ES engine with its own heap.
// Bridging async callbacks costs one dispatcher (qjs-bridge.ts), which turned out small.
import type { Board } from '../boards.js';
import type { Hal } from '../../hal/types.js';
import { bridge, type Bridge } from './qjs-bridge.js';
import { QjsHost } from './qjs-host.js';
import { eventsShim, halShim } from './qjs-shims.js';

export interface SimOptions {
  /** The bundle of a build for a board with hal "emulated" (defines tinyiot.run(hal, cfg)). */
  bundle: string;
  board: Board;
  cfg: Record<string, unknown>;
  hal: Hal;
  /** Uncaught firmware errors and the heap cap. */
  onError?: (msg: string) => void;
  /** Override of the heap cap in bytes. */
  heapBytes?: number;
}

export interface Sim {
  host: QjsHost;
  bridge: Bridge;
  /** Heap growth over the loaded bundle: now and at its highest. */
  heap(): { now: number; peak: number };
  stop(): void;
}

export async function startSim(o: SimOptions): Promise<Sim> {
  const host = await QjsHost.create({ heapBytes: o.heapBytes ?? o.board.jsVars * o.board.blockSize, onError: o.onError });
  const br = bridge(host, { hal: o.hal });
  try {
    host.eval(eventsShim + halShim, 'hal.js');
    host.eval(o.bundle, 'bundle.js');
    host.markBase();
    host.eval(`tinyiot.run(__hal, ${JSON.stringify(o.cfg)});`, 'start.js');
  } catch (e) {
    br.stop();
    host.dispose();
    throw e;
  }
  return {
    host,
    bridge: br,
    heap: () => ({ now: host.heap() - host.base, peak: host.peak - host.base }),
    stop() {
      br.stop();
      host.dispose();
    },
  };
}

/** A firmware error as one line: its first line and, if the trace has one, the first frame in the
 * bundle (enough to find it in the minified bundle; the rest of a QuickJS trace is the host's). */
export function briefError(msg: string): string {
  const lines = msg.split('\n');
  // A frame in the bundle, or in an app's TypeScript once mapped back to it (sim.ts).
  const at = lines.slice(1).find((l) => /\b(bundle\.js|\.ts):\d/.test(l));
  return at ? `${lines[0]} [${at.trim()}]` : lines[0]!;
}
