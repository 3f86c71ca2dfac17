// The HAL for boards running Espruino with its own network stack (ESP32, ESP8266, Linux: net, tls
// and the Wifi module). Boards with an AT modem use modem.ts's createEspruinoModemHal instead.
import { espruinoCore, type EspruinoBoard, type EspruinoHal, type EspruinoParts } from './core.js';
import type { EspruinoEnv } from './env.js';
import { espruinoTransport } from './transport.js';
import type { wifiJoin } from './wifi.js';

export interface NativeParts extends EspruinoParts {
  /** wifiJoin (wifi.ts) on boards whose network is "wifi". */
  wifi?: typeof wifiJoin;
}

export function createEspruinoHal(env: EspruinoEnv, board: EspruinoBoard, parts: NativeParts): EspruinoHal {
  const hal = espruinoCore(env, board, parts, (_c, l) => espruinoTransport(env, l));
  const w = parts.wifi;
  if (w) hal.wifi = (s, p, cb, o) => w(env.require('Wifi'), hal.clock, s, p, cb, o);
  return hal;
}
