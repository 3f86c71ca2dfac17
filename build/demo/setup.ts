// What the demo stands on: the local hub (build/hub) with one registered device, and the
// iothub-sensor firmware built by the board pipeline and run by the simulator, exactly as
// `tinyiot build` and `tinyiot sim` do it.
import { loadBoard } from '../boards.js';
import { type Build, buildFirmware } from '../firmware/pipeline.js';
import { simBoard } from '../firmware/sim-board.js';
import { type Sim, startSim } from '../firmware/sim-run.js';
import { type LocalHub, openHub } from '../hub/local.js';
import { createEmulatedHal, type EmulatedIo, emulatedIo, realClock } from '../../hal/emulated/index.js';
import type { Log } from '../../hal/types.js';

export const APP = 'iothub-sensor';
export const DEVICE_ID = 'demo-device';

/** The hub with DEVICE_ID registered. */
export function openDemoHub(dataDir: string): Promise<LocalHub> {
  return openHub(dataDir, DEVICE_ID);
}

/** The app built for the simulator's copy of `boardId` into outDir (default out/), as `tinyiot sim` builds it. */
export function buildSensor(boardId: string, progress: (line: string) => void, outDir?: string): Promise<Build> {
  return buildFirmware({ app: APP, board: simBoard(loadBoard(boardId)), progress, outDir });
}

export interface DeviceHooks {
  log(level: keyof Log, msg: string): void;
  /** Pin writes (the LED). */
  pin(pin: string, on: boolean): void;
  /** Uncaught firmware errors and the heap cap. */
  error(msg: string): void;
}

export interface Device {
  sim: Sim;
  io: EmulatedIo;
}

/** Starts the built bundle in QuickJS on the emulated HAL (real sockets and time). */
export async function startDevice(built: Build, cfg: Record<string, unknown>, h: DeviceHooks): Promise<Device> {
  if (!built.ok || !built.bundle) throw new Error(`cannot start a failed build (${built.error})`);
  const clock = realClock();
  const io = emulatedIo({ clock });
  io.onWrite(h.pin);
  const log: Log = {
    debug: (m) => h.log('debug', m),
    info: (m) => h.log('info', m),
    warn: (m) => h.log('warn', m),
    error: (m) => h.log('error', m),
  };
  const sim = await startSim({ bundle: built.bundle, board: built.board, cfg, hal: createEmulatedHal({ clock, io, log }), onError: h.error });
  return { sim, io };
}
