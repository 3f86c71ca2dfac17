// Pins and sensors. Names the board file knows ("led1", "button") map to its pins; anything else
// is taken as an Espruino pin name ("D2", "A0"), which Espruino accepts as a string.
// sense("temp") is the MCU's own temperature sensor (E.getTemperature, degrees C).
// A board has one io, so its methods are closures made once, sharing one scope: measured on
// Espruino's interpreter, methods shared through a prototype took as many blocks or more (paid at
// load instead of at start) and about 100 bytes more.
import type { Io } from '../types.js';
import type { EspruinoEnv } from './env.js';

export function espruinoIo(env: EspruinoEnv, pins: Record<string, string | null | undefined>): Io {
  const p = (n: string) => {
    const x = pins[n];
    if (x === null) throw new Error('io: this board has no ' + n);
    return x || n;
  };
  return {
    write: (n, v) => env.digitalWrite!(p(n), v),
    read: (n) => !!env.digitalRead!(p(n)),
    sense: (n) => (n == 'temp' ? env.E!.getTemperature() : env.analogRead!(p(n))),
  };
}
