// The bundle `tinyiot script --engine espruino` boots in Espruino's interpreter: the step player on
// the firmware's MQTT client over hal/espruino's clock and transport (Espruino's net and tls), with
// the plan the host stored. Events and the exit code go out as framed console lines (frames.ts).
// Compiled to ES5 by build/bundle.ts like any firmware; the host starts it with run(env).
import { createClient } from '../../firmware/mqtt/client.js';
import { espruinoClock } from '../../hal/espruino/clock.js';
import type { EspruinoEnv } from '../../hal/espruino/env.js';
import { espruinoLog } from '../../hal/espruino/log.js';
import { espruinoTransport } from '../../hal/espruino/transport.js';
import type { Hal } from '../../hal/types.js';
import { END_FRAME, EVENT_FRAME, PLAN_FILE } from './frames.js';
import type { Plan } from './plan.js';
import { play } from './player.js';

/** What the client never touches here: it keeps no outbox in Storage, signs nothing, drives no pins. */
const unused = (what: string) => () => {
  throw new Error('tinyiot script: no ' + what + ' on this engine');
};

export function run(env: EspruinoEnv): void {
  const print = env.print!;
  const plan: Plan = env.require('Storage').readJSON(PLAN_FILE, 1);
  // Warnings only (e.g. that Espruino's TLS does not verify the server): not frames, so the host
  // passes them to stderr as the Node engine does with its log.
  const log = espruinoLog('warn', print);
  const hal: Hal = {
    clock: espruinoClock(env),
    transport: espruinoTransport(env, log),
    storage: { read: () => undefined, write: unused('storage'), erase: unused('storage') },
    crypto: { hmacSha256: unused('crypto') },
    log,
    io: { write: unused('pins'), read: unused('pins'), sense: unused('sensors') },
    random: Math.random,
  };
  play({
    plan,
    hal,
    createClient,
    emit: (e) => print(EVENT_FRAME + JSON.stringify(e)),
    done: (code) => print(END_FRAME + code),
  });
}
