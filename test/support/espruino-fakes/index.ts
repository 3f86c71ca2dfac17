// A whole fake Espruino board for hal/espruino: the env object createEspruinoHal takes, wired to
// fakes of Espruino's modules and globals, plus handles for the test to steer and inspect them.
import type { EspruinoEnv } from '../../../hal/espruino/env.js';
import { fakeE, fakePins, fakeTime, fakeTimers } from './board.js';
import { fakeCrypto } from './crypto.js';
import { fakeNet, type FakeNetOptions } from './net.js';
import { FakeSerial } from './serial.js';
import { fakeStorage } from './storage.js';
import { fakeWifi, type FakeWifiOptions } from './wifi.js';

export interface FakeEspruinoOptions {
  net?: FakeNetOptions;
  /** false: a board whose build lacks TLS (ESP8266): require("tls") throws. */
  tls?: boolean;
  /** false: no crypto module (require throws). */
  crypto?: boolean;
  /** false: E without the native byte converters. */
  nativeE?: boolean;
  wifi?: FakeWifiOptions;
}

export function fakeEspruino(o: FakeEspruinoOptions = {}) {
  const net = fakeNet(o.net);
  const storage = fakeStorage();
  const timers = fakeTimers();
  const time = fakeTime();
  const E = fakeE(o.nativeE !== false);
  const pins = fakePins();
  const wifi = fakeWifi(o.wifi ?? { ssid: 'lab', password: 'secret' });
  const serial = new FakeSerial();
  const printed: string[] = [];
  const modules: Record<string, unknown> = {
    net: net.net,
    Storage: storage,
    Wifi: wifi,
  };
  if (o.tls !== false) modules.tls = net.tls;
  if (o.crypto !== false) modules.crypto = fakeCrypto();
  const env: EspruinoEnv = {
    require(name) {
      if (!(name in modules)) throw new Error(`Module ${name} not found`);
      return modules[name];
    },
    getTime: time.getTime,
    setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout,
    E,
    serial,
    digitalWrite: pins.digitalWrite,
    digitalRead: pins.digitalRead,
    analogRead: pins.analogRead,
    print: (s) => printed.push(s),
  };
  return { env, net: net.stats, storage, timers, time, E, pins, wifi, serial, printed };
}

export { fakeE, fakePins, fakeTime, fakeTimers } from './board.js';
export { fakeCrypto } from './crypto.js';
export { Emitter, isByteString, needByteString } from './emitter.js';
export { fakeNet, FakeSocket, type FakeNetOptions, type FakeNetStats } from './net.js';
export { FakeSerial } from './serial.js';
export { fakeStorage, type FakeStorage } from './storage.js';
export { fakeWifi, type FakeWifiOptions } from './wifi.js';
