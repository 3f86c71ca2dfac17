// Pins and sensors that belong to the host: the simulator running the firmware on Espruino's own
// interpreter (tinyiot sim --engine espruino) has no LED or sensor of its own, so the host plays them.
// - Every pin write prints one framed line: "\x10tinyiot-io " and JSON {"pin":"B2","value":true}.
//   The DLE byte (0x10) starts no line the firmware's log prints, so the host can pick these out of
//   the console's output without guessing.
// - A pin reads back the last value written to it (false before any write): the host's pins are
//   outputs only, and an app that toggles its LED reads its own state.
// - sense(name) reads the host's current readings from the JSON file SENSOR_FILE in the
//   interpreter's working folder (the Linux build has `fs`); the host replaces it whole with a
//   rename. Lines typed into the console are no channel for this: while the interpreter is busy
//   (a TLS handshake) its console input overflows and typed lines arrive cut. A name the file does
//   not hold, or no file yet, reads the fixed default, so a run's first telemetry is predictable.
import type { Io } from '../types.js';
import type { EspruinoEnv } from './env.js';

/** What the console line of a pin write starts with. */
export const IO_FRAME = '\x10tinyiot-io ';

/** The host's readings, {"temp": 21.5, ...}, in the interpreter's working folder. */
export const SENSOR_FILE = 'tinyiot-sensors.json';

/** Readings before the host sets any. Names not listed read 0. */
export const SENSE_DEFAULTS: Record<string, number> = { temp: 20.5, humidity: 45 };

function readings(env: EspruinoEnv): Record<string, number> {
  try {
    const text = env.require('fs').readFileSync(SENSOR_FILE);
    return (text && JSON.parse(text)) || {};
  } catch (e) {
    return {};
  }
}

export function hostIo(env: EspruinoEnv): Io {
  const pins: Record<string, boolean> = {};
  const print = env.print || console.log;
  return {
    write(pin, value) {
      pins[pin] = !!value;
      print(IO_FRAME + JSON.stringify({ pin: pin, value: !!value }));
    },
    read: (pin) => !!pins[pin],
    sense(name) {
      const v = readings(env)[name];
      return typeof v == 'number' ? v : SENSE_DEFAULTS[name] || 0;
    },
  };
}
