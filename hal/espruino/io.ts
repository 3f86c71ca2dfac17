// Pins and sensors. Names the board file knows ("led1", "button") map to its pins; anything else
// is taken as an Espruino pin name ("D2", "A0"), which Espruino accepts as a string.
// sense("temp") is the MCU's own temperature sensor (E.getTemperature, degrees C).
// The methods are made once and shared; an io object holds only the env and the board's pins.
import type { Io } from '../types.js';
import type { EspruinoEnv } from './env.js';

interface EspruinoIo extends Io {
  env_: EspruinoEnv;
  pins_: Record<string, string | null | undefined>;
}

function pin(io: EspruinoIo, name: string): string {
  const p = io.pins_[name];
  if (p === null) throw new Error('io: this board has no ' + name);
  return p || name;
}

const ioMethods = {
  write(this: EspruinoIo, name: string, value: boolean) {
    this.env_.digitalWrite!(pin(this, name), value);
  },
  read(this: EspruinoIo, name: string) {
    return !!this.env_.digitalRead!(pin(this, name));
  },
  sense(this: EspruinoIo, name: string) {
    return name == 'temp' ? this.env_.E!.getTemperature() : this.env_.analogRead!(pin(this, name));
  },
};

export function espruinoIo(env: EspruinoEnv, pins: Record<string, string | null | undefined>): Io {
  const io: EspruinoIo = Object.create(ioMethods);
  io.env_ = env;
  io.pins_ = pins;
  return io;
}
