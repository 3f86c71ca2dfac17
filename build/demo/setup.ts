// What the demo stands on: the local hub (build/hub) with one registered device, and the
// iothub-sensor firmware built by the board pipeline and run by the simulator on the chosen
// engine, exactly as `tinyiot build` and `tinyiot sim` do it.
import { type Board, listBoards, loadBoard } from '../boards.js';
import { refusal } from '../firmware/refuse.js';
import { UsageError } from '../usage-error.js';
import type { Build } from '../firmware/pipeline.js';
import { buildForSim, type DeviceHooks, type SimDevice, type SimEngine, startSimDevice } from '../firmware/sim-device.js';
import { type LocalHub, openHub } from '../hub/local.js';

export const APP = 'iothub-sensor';
export const DEVICE_ID = 'demo-device';

export type { DeviceHooks };
export type Device = SimDevice;

/**
 * The hub with DEVICE_ID registered, its twin and cloud-to-device queue emptied: every run starts
 * from the same device state, so what an earlier run left in a kept data folder (a desired
 * interval set from another terminal, messages never delivered) cannot change what the checks see.
 */
export async function openDemoHub(dataDir: string): Promise<LocalHub> {
  const local = await openHub(dataDir, DEVICE_ID);
  local.hub.twins.delete(DEVICE_ID);
  local.hub.c2d.purge(DEVICE_ID);
  return local;
}

/**
 * The board `boardId` when the demo can simulate it. The demo's hub, as Azure IoT Hub, takes TLS
 * only, so a board without TLS (or without TCP/IP) is a usage mistake, said with what to do instead:
 * the --insecure-dev of 'tinyiot build' does not apply here.
 */
export function demoBoard(boardId: string): Board {
  const b = loadBoard(boardId);
  if (b.network === 'none' || b.network === 'ble' || b.tls === 'none') {
    const why = b.tls === 'none' && b.network !== 'none' && b.network !== 'ble' ? 'has no TLS' : `has no TCP/IP (network "${b.network}")`;
    const can = listBoards().filter((o) => !refusal(o, {})).map((o) => o.id);
    throw new UsageError(
      `board '${b.id}' (${b.name}) ${why}, and the demo's hub, like Azure IoT Hub, accepts TLS connections only. ` +
        `Run the demo on a board with TLS (${can.join(', ')}; see 'tinyiot boards'), or try this board against your own ` +
        `MQTT broker with 'tinyiot sim mqtt-blink --board ${b.id} --insecure-dev --broker mqtt://host:1883'`,
    );
  }
  return b;
}

/** The app built for `board` and for `engine` into outDir (default out/), as `tinyiot sim` builds it. */
export function buildSensor(board: Board, engine: SimEngine, progress: (line: string) => void, outDir?: string): Promise<Build> {
  return buildForSim({ app: APP, board, engine, progress, outDir });
}

/** Starts the built firmware on its engine (real sockets and time). */
export function startDevice(engine: SimEngine, built: Build, cfg: Record<string, unknown>, h: DeviceHooks): Promise<Device> {
  return startSimDevice(engine, built, cfg, h);
}
