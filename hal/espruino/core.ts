// What every Espruino board shares: clock, Storage, log, and the parts its board file picks.
// Parts are passed in, never chosen here, so a bundle carries only the ones its board uses: the
// generated entry (build/firmware/entry.ts) picks them from the board file's fields. The network
// differs: native.ts (Espruino's net/tls) and modem.ts (an AT modem) add it.
import type { Clock, Crypto, Hal, Io, Log, Transport } from '../types.js';
import { espruinoClock } from './clock.js';
import type { EspruinoEnv } from './env.js';
import { levelLog } from './log.js';
import { espruinoStorage } from './storage.js';
import { espruinoUtf8 } from './utf8.js';
import type { JoinCb, JoinOptions } from './wifi.js';

/** The fields of boards/<id>.json the HAL reads. */
export interface EspruinoBoard {
  pins: Record<string, string | null | undefined>;
  /** Boards with an AT modem: its UART speed. */
  modem?: { baud: number };
}

export interface EspruinoParts {
  /** Board "crypto" "sha256": nativeCrypto (crypto.ts); "none": jsCrypto (firmware/crypto). */
  crypto(env: EspruinoEnv): Crypto;
  /** The board's pins and sensors: espruinoIo (io.ts); in the simulator on Espruino, hostIo (host-io.ts). */
  io(env: EspruinoEnv, pins: EspruinoBoard['pins']): Io;
  /** Default: "info" and up on env.print. */
  log?: Log;
}

export interface EspruinoHal extends Hal {
  /** Joins a WiFi network; only where a join part was given. */
  wifi?(ssid: string, password: string, cb: JoinCb, o?: JoinOptions): void;
}

export function espruinoCore(env: EspruinoEnv, board: EspruinoBoard, parts: EspruinoParts, net: (c: Clock, l: Log) => Transport): EspruinoHal {
  const clock = espruinoClock(env);
  const l = parts.log || levelLog(1, env.print); // from info
  return {
    clock,
    transport: net(clock, l),
    storage: espruinoStorage(env.require('Storage')),
    crypto: parts.crypto(env),
    log: l,
    io: parts.io(env, board.pins),
    random: Math.random,
    utf8: espruinoUtf8(env.E),
  };
}
