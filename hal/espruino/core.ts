// What every Espruino board shares, put together from the board file's fields: clock, Storage,
// crypto ("sha256": native SHA-256 under a JS HMAC; "none": the pure-JS fallback), log, pins.
// The network part differs: index.ts (Espruino's net/tls) and modem.ts (an AT modem) add it.
import { jsCrypto } from '../../firmware/crypto/index.js';
import type { Clock, Hal, Log, Transport } from '../types.js';
import { espruinoClock } from './clock.js';
import { nativeCrypto } from './crypto.js';
import type { EspruinoEnv } from './env.js';
import { espruinoIo } from './io.js';
import { espruinoLog } from './log.js';
import { espruinoStorage } from './storage.js';
import type { JoinCb, JoinOptions } from './wifi.js';

/** The fields of boards/<id>.json the HAL reads. */
export interface EspruinoBoard {
  tls: 'native' | 'offload' | 'none';
  crypto: 'sha256' | 'none';
  network: string;
  pins: Record<string, string | null | undefined>;
  modem?: { chip: 'esp8266' | 'bg96'; baud: number };
}

export interface EspruinoHal extends Hal {
  /** Joins a WiFi network; only on boards whose network is "wifi" or "wifi-at". */
  wifi?(ssid: string, password: string, cb: JoinCb, o?: JoinOptions): void;
}

export function espruinoCore(env: EspruinoEnv, board: EspruinoBoard, net: (c: Clock, l: Log) => Transport, log?: Log): EspruinoHal {
  const clock = espruinoClock(env);
  const l = log || espruinoLog('info', env.print);
  return {
    clock,
    transport: net(clock, l),
    storage: espruinoStorage(env.require('Storage')),
    crypto: board.crypto == 'sha256' ? nativeCrypto(env) : jsCrypto(),
    log: l,
    io: espruinoIo(env, board.pins),
    random: Math.random,
  };
}
