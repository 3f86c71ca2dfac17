// The HAL for boards running Espruino with its own network stack (ESP32, ESP8266: net, tls and the
// Wifi module). Boards with an AT modem use modem.ts's createEspruinoModemHal instead. The bundler
// keeps only what a board's entry imports from here.
import type { Log } from '../types.js';
import { espruinoCore, type EspruinoBoard, type EspruinoHal } from './core.js';
import type { EspruinoEnv } from './env.js';
import { espruinoTransport } from './transport.js';
import { wifiJoin } from './wifi.js';

export function createEspruinoHal(env: EspruinoEnv, board: EspruinoBoard, log?: Log): EspruinoHal {
  const hal = espruinoCore(env, board, (_c, l) => espruinoTransport(env, l), log);
  if (board.network == 'wifi') hal.wifi = (s, p, cb, o) => wifiJoin(env.require('Wifi'), hal.clock, s, p, cb, o);
  return hal;
}

export { toByteString, toBytes } from './bytes.js';
export { espruinoClock } from './clock.js';
export { espruinoCore, type EspruinoBoard, type EspruinoHal } from './core.js';
export { nativeCrypto } from './crypto.js';
export type { EspruinoE, EspruinoEnv } from './env.js';
export { espruinoIo } from './io.js';
export { espruinoLog } from './log.js';
export { createEspruinoModemHal } from './modem.js';
export { espruinoStorage, storageName } from './storage.js';
export { espruinoTransport, pemToDer } from './transport.js';
export { atWifiJoin, espruinoAtSerial, type EspruinoSerial } from './wifi-at.js';
export { wifiJoin, type JoinCb, type JoinOptions } from './wifi.js';
