// Pins and sensors that belong to the host: the simulator running the firmware on Espruino's own
// interpreter (tinyiot sim --engine espruino) has no LED or sensor of its own, so the host plays them.
// - Every pin write prints one framed line: "\x10tinyiot-io " and JSON {"pin":"B2","value":true}.
//   The DLE byte (0x10) starts no line the firmware's log prints, so the host can pick these out of
//   the console's output without guessing.
// - A pin reads back the last value written to it (false before any write): the host's pins are
//   outputs only, and an app that toggles its LED reads its own state.
// - sense(name) gives the value the host last typed at the console as tinyiotSense("temp", 21.5);
//   before that, a fixed default, so a run's first telemetry is predictable.
import type { Io } from '../types.js';
import type { EspruinoEnv } from './env.js';

/** What the console line of a pin write starts with. */
export const IO_FRAME = '\x10tinyiot-io ';

/** Readings before the host sets any. Names not listed read 0. */
export const SENSE_DEFAULTS: Record<string, number> = { temp: 20.5, humidity: 45 };

export function hostIo(env: EspruinoEnv): Io {
  const g = env.global;
  if (!g) throw new Error('hostIo: env.global is needed to define tinyiotSense (a hostIo boot line hands it over)');
  const pins: Record<string, boolean> = {};
  const sensed: Record<string, number> = {};
  for (const k in SENSE_DEFAULTS) sensed[k] = SENSE_DEFAULTS[k]!;
  g.tinyiotSense = (name: string, value: number) => {
    sensed[name] = +value;
  };
  const print = env.print || console.log;
  return {
    write(pin, value) {
      pins[pin] = !!value;
      print(IO_FRAME + JSON.stringify({ pin: pin, value: !!value }));
    },
    read: (pin) => !!pins[pin],
    sense: (name) => sensed[name] || 0,
  };
}
