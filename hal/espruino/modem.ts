// The HAL for Espruino boards whose network runs in an AT modem on a UART (Espruino WiFi and
// Pico + ESP8266, RAK5010's BG96): hal/at-modem's transport, TLS inside the modem. Kept apart from
// index.ts's createEspruinoHal so a board's bundle holds one network stack, not both.
import { createAtTransport } from '../at-modem/index.js';
import type { Log } from '../types.js';
import { espruinoCore, type EspruinoBoard, type EspruinoHal } from './core.js';
import type { EspruinoEnv } from './env.js';
import { atWifiJoin, espruinoAtSerial } from './wifi-at.js';

export function createEspruinoModemHal(env: EspruinoEnv, board: EspruinoBoard, log?: Log): EspruinoHal {
  const m = board.modem;
  const p = board.pins;
  if (!m || !env.serial) throw new Error('espruino: board.modem and env.serial are needed for an AT modem');
  // The modem's boot-mode and chip-enable pins must be high for it to start its AT firmware.
  if (p.modemBoot) env.digitalWrite!(p.modemBoot, 1);
  if (p.modemEnable) env.digitalWrite!(p.modemEnable, 1);
  const ser = espruinoAtSerial(env.serial, m.baud, { rx: p.modemRx!, tx: p.modemTx!, cts: p.modemCts! });
  const hal = espruinoCore(env, board, (c, l) => createAtTransport(ser, c, m.chip, { log: l }), log);
  if (board.network == 'wifi-at') hal.wifi = (s, pw, cb, o) => atWifiJoin(ser, hal.clock, s, pw, cb, o);
  return hal;
}
