// The HAL for Espruino boards whose network runs in an AT modem on a UART (Espruino WiFi and
// Pico + ESP8266, RAK5010's BG96): hal/at-modem's transport, TLS inside the modem. Kept apart from
// index.ts's createEspruinoHal so a board's bundle holds one network stack, not both; the AT
// profile is a part too, so it holds one profile.
import { atTransport, type Profile } from '../at-modem/transport.js';
import { espruinoCore, type EspruinoBoard, type EspruinoHal, type EspruinoParts } from './core.js';
import type { EspruinoEnv } from './env.js';
import { espruinoAtSerial, type atWifiJoin } from './wifi-at.js';

export interface ModemParts extends EspruinoParts {
  /** Board modem.chip: esp8266 or bg96 from hal/at-modem. */
  profile: Profile;
  /** atWifiJoin (wifi-at.ts) on boards whose network is "wifi-at". */
  wifi?: typeof atWifiJoin;
}

/** A board file with a modem: its UART speed is known. */
export interface ModemBoard extends EspruinoBoard {
  modem: { baud: number };
}

// env.serial is not checked at run time: the generated entry's boot line hands over the board's
// modem UART wherever the board file has a modem, and the check's text would cost every bundle.
export function createEspruinoModemHal(env: EspruinoEnv, board: ModemBoard, parts: ModemParts): EspruinoHal {
  const m = board.modem;
  const p = board.pins;
  // The modem's boot-mode and chip-enable pins must be high for it to start its AT firmware.
  if (p.modemBoot) env.digitalWrite!(p.modemBoot, 1);
  if (p.modemEnable) env.digitalWrite!(p.modemEnable, 1);
  const ser = espruinoAtSerial(env.serial, m.baud, { rx: p.modemRx!, tx: p.modemTx!, cts: p.modemCts! });
  const hal = espruinoCore(env, board, parts, (c, l) => atTransport(ser, c, parts.profile, { log: l }));
  const w = parts.wifi;
  if (w) hal.wifi = (s, pw, cb, o) => w(ser, hal.clock, s, pw, cb, o);
  return hal;
}
