// `tinyiot script <file.json>`: a scripted MQTT session on the firmware's own client, printing
// one JSON event per line so a run can be diffed, grepped or fed to another tool.
import { createClient } from '../../firmware/mqtt/client.js';
import { createEmulatedHal, stderrLog } from '../../hal/emulated/index.js';
import type { Hal } from '../../hal/types.js';
import { jsonLine, type Emit } from '../script/events.js';
import { loadScript, type Loaded } from '../script/load.js';
import { DEFAULT_KEEPALIVE, DEFAULT_TIMEOUT, OPS, ScriptError } from '../script/parse.js';
import { runScript, type RunOptions, type ScriptClient, type ScriptClientOptions } from '../script/run.js';

export const help = `usage: tinyiot script <file.json>

Runs a scripted MQTT 3.1.1 session through the same client code the firmware uses and prints one
JSON event per line on stdout.

Script file:
  {"host": "broker.example", "port": 8883, "tls": true, "ca": "ca.pem",
   "steps": [{"op": "connect", "clientId": "dev1", "clean": true}, ...]}

  host, port          the broker (required)
  tls                 default true; plain TCP only with "tls": false
  ca, cert, key       PEM files, paths relative to the script file (cert + key: X.509 client auth)
  timeout             ms to wait for each acknowledgement (default ${DEFAULT_TIMEOUT})

Steps (counted from 1 in error messages), one of: ${OPS.join(', ')}
  {"op": "connect", "clientId": "...", "clean": true|false, "keepalive": ${DEFAULT_KEEPALIVE},
   "username": "...", "password": "...",
   "will": {"topic": "...", "payload": "...", "qos": 0|1|2, "retain": false}}
      waits for CONNACK; a later connect reuses the session and in-flight messages (while
      connected it is a reconnect: DISCONNECT first, then a new CONNECT)
  {"op": "subscribe", "filters": [{"topic": "a/#", "qos": 1}]}        waits for SUBACK
  {"op": "publish", "topic": "a/b", "payload": "text", "qos": 1, "retain": false, "await": true}
      "payloadHex": "00ff" instead of "payload" sends raw bytes; with "await" waits for
      PUBACK (QoS 1) or PUBCOMP (QoS 2), without it a message may be queued while offline
  {"op": "unsubscribe", "filters": ["a/#"]}                            waits for UNSUBACK
  {"op": "wait", "ms": 1000}      stays connected: acknowledges messages, keeps the keepalive going
  {"op": "drop"}                  closes the socket without DISCONNECT
  {"op": "disconnect"}            sends DISCONNECT and closes
  Topics and filters are checked before anything is sent. A script that ends while connected
  sends DISCONNECT, so the broker does not publish the will.

Output events ("ev"): connack, suback, unsuback, published, message, closed, error.
  A received payload that is not UTF-8 is printed as "payloadHex".

Exit codes: 0 all steps ran (refused operations are reported as error events),
            1 an acknowledgement did not come in time or the broker could not be reached,
            2 the script is malformed or unreadable (nothing is sent).`;

/** The emulated HAL with client logs on stderr (warnings only), so stdout stays pure JSON. */
export function scriptHal(): Hal {
  return createEmulatedHal({ log: stderrLog('warn') });
}

/** Runs a loaded script on the firmware client over real sockets; used by `demo` too. */
export function play(loaded: Loaded, emit: Emit, onStep?: RunOptions['onStep']): Promise<number> {
  const hal = scriptHal();
  return runScript({
    ...loaded,
    clock: hal.clock,
    emit,
    onStep,
    createClient: (opts: ScriptClientOptions): ScriptClient => createClient(hal, opts),
  });
}

export async function run(argv: string[]): Promise<number> {
  const args = argv.filter((a) => a !== '--');
  const bad = args.find((a) => a.startsWith('-'));
  if (bad || args.length !== 1) {
    process.stderr.write(`tinyiot script: ${bad ? `unknown option '${bad}'` : 'expected one script file'}\n\n${help}\n`);
    return 2;
  }
  let loaded: Loaded;
  try {
    loaded = await loadScript(args[0]!);
  } catch (e) {
    if (!(e instanceof ScriptError)) throw e;
    process.stderr.write(`tinyiot script: ${e.message}\n`);
    return 2;
  }
  return play(loaded, (e) => process.stdout.write(jsonLine(e)));
}
