// Board-side helpers of the generated entry. The bundle itself names no Espruino global: the boot
// line after it (build/firmware/output.ts) hands them over as the env hal/espruino takes
// (hal/espruino/env.ts), so the bundle stays plain ES5 that any engine can load with fakes.
import type { EspruinoEnv } from '../../hal/espruino/env.js';
import type { AppConfig } from '../apps/config.js';

export const CONFIG_FILE = 'tinyiot.json';

/** The config saved by `tinyiot flash --config`, or {} when there is none (the app says what it misses). */
export function readConfig(env: EspruinoEnv): AppConfig {
  return env.require('Storage').readJSON(CONFIG_FILE, 1) || {};
}

/** Pins a modem needs high to run its AT firmware (ESP8266 CH_PD and GPIO0). */
export function modemUp(env: EspruinoEnv, pins: string[]): void {
  for (const p of pins) env.digitalWrite!(p, 1);
}
