// What the demo stands on: the local hub (build/hub) with one registered device, and the
// iothub-sensor firmware built by the board pipeline and run by the simulator on the chosen
// engine, exactly as `tinyiot build` and `tinyiot sim` do it.
import { loadBoard } from '../boards.js';
import type { Build } from '../firmware/pipeline.js';
import { buildForSim, type DeviceHooks, type SimDevice, type SimEngine, startSimDevice } from '../firmware/sim-device.js';
import { type LocalHub, openHub } from '../hub/local.js';

export const APP = 'iothub-sensor';
export const DEVICE_ID = 'demo-device';

export type { DeviceHooks };
export type Device = SimDevice;

/** The hub with DEVICE_ID registered. */
export function openDemoHub(dataDir: string): Promise<LocalHub> {
  return openHub(dataDir, DEVICE_ID);
}

/** The app built for `boardId` and for `engine` into outDir (default out/), as `tinyiot sim` builds it. */
export function buildSensor(boardId: string, engine: SimEngine, progress: (line: string) => void, outDir?: string): Promise<Build> {
  return buildForSim({ app: APP, board: loadBoard(boardId), engine, progress, outDir });
}

/** Starts the built firmware on its engine (real sockets and time). */
export function startDevice(engine: SimEngine, built: Build, cfg: Record<string, unknown>, h: DeviceHooks): Promise<Device> {
  return startSimDevice(engine, built, cfg, h);
}
