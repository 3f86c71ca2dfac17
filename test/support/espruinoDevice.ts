// An example app built for a simulated board and booted on Espruino's own interpreter, as
// `tinyiot sim --engine espruino` does it, recording what the firmware logs, which pins it drives
// and every uncaught error. Builds go to a temp folder of their own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBoard } from '../../build/boards.js';
import { type Build, buildFirmware } from '../../build/firmware/pipeline.js';
import { engineBoard, type SimDevice, startSimDevice } from '../../build/firmware/sim-device.js';

export interface EspruinoDevice {
  device: SimDevice;
  logs: string[];
  pins: string[];
  errors: string[];
  stop(): Promise<void>;
}

const outDir = mkdtempSync(join(tmpdir(), 'tinyiot-espruino-build-'));
const builds = new Map<string, Promise<Build>>();

/** The app built once per test file for boardId's simulator on Espruino. */
export function espruinoBuild(app: string, boardId = 'emulator'): Promise<Build> {
  const key = `${app}@${boardId}`;
  if (!builds.has(key)) builds.set(key, buildFirmware({ app, board: engineBoard(loadBoard(boardId), 'espruino'), simHost: true, outDir }));
  return builds.get(key)!;
}

export function removeEspruinoBuilds(): void {
  rmSync(outDir, { recursive: true, force: true });
}

export async function startEspruinoDevice(app: string, cfg: Record<string, unknown>, boardId = 'emulator'): Promise<EspruinoDevice> {
  const built = await espruinoBuild(app, boardId);
  if (!built.ok) throw new Error(`building ${app} for Espruino failed: ${built.error}`);
  const logs: string[] = [], pins: string[] = [], errors: string[] = [];
  const device = await startSimDevice('espruino', built, cfg, {
    log: (level, m) => logs.push(`${level}: ${m}`),
    pin: (p, on) => pins.push(`${p}=${on ? 1 : 0}`),
    error: (m) => errors.push(m),
  });
  return { device, logs, pins, errors, stop: () => device.stop() };
}
