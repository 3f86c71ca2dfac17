// The Espruino side of a board's start-up, used by the generated entry (build/firmware/entry.ts)
// before it hands over to firmware/boot/start.ts: the config `tinyiot flash --config` saved. Here
// rather than in firmware/, which may not know Espruino's API.
import type { EspruinoEnv } from './env.js';

export const CONFIG_FILE = 'tinyiot.json';

/** The saved config, or {} when there is none (the app says what it misses). */
export function readConfig(env: EspruinoEnv): Record<string, unknown> {
  return env.require('Storage').readJSON(CONFIG_FILE, 1) || {};
}
