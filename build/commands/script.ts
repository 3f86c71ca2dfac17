// `tinyiot script <file.json>`: a scripted MQTT session on the firmware's own client, printing
// one JSON event per line so a run can be diffed, grepped or fed to another tool. The same step
// player (build/script/player.ts) runs on either engine: in this process over node:net/node:tls, or
// inside Espruino's own interpreter over its net/tls; both print the same events and exit codes.
import { HOW_TO_GET, locateEspruino, type Located } from '../espruino/locate.js';
import { parseArgs, UsageError } from '../firmware/args.js';
import { jsonLine, type Event } from '../script/events.js';
import { loadScript, type Loaded } from '../script/load.js';
import { playOnNode } from '../script/node-engine.js';
import { DEFAULT_KEEPALIVE, DEFAULT_TIMEOUT, OPS, ScriptError } from '../script/parse.js';
import { toPlan } from '../script/plan.js';
import { untrustedServer } from '../tls-trust.js';

export const ENGINES = ['node', 'espruino'] as const;

export const help = `usage: tinyiot script <file.json> [--engine node|espruino] [--keep-going]

Runs a scripted MQTT 3.1.1 session through the same client code the firmware uses and prints one
JSON event per line on stdout.

  --engine node       the default: the client runs in this Node process, over node:net /
                      node:tls with the server's certificate verified
  --engine espruino   the client runs inside Espruino's own interpreter built for Linux (found
                      through TINYIOT_ESPRUINO, beside the checkout, or on the PATH), over its
                      net / tls: the firmware as a board runs it. Same events and exit codes as
                      node. Espruino's TLS does not verify the server's certificate and offers
                      only RSA key exchange (no ECDSA certificates).
  --keep-going        a step that fails (an error event: a refused CONNACK, a SUBACK or publish
                      refused, "not connected") does not end the script: the next step runs, and
                      the exit code is 0 unless an acknowledgement timed out or the broker could
                      not be reached. Without it the script ends at the first failed step, exit 1.

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
  A received payload that is not UTF-8 is printed as "payloadHex". A "reason" field holds the
  platform's own words (e.g. why a connection failed); they differ between engines.

Exit codes: 0 all steps ran and none failed (with --keep-going: all steps ran; refused
              operations are reported as error events),
            1 a step failed (an error event; the script ends there), an acknowledgement did
              not come in time or the broker could not be reached (or --engine espruino found
              no interpreter),
            2 the script is malformed or unreadable (nothing is sent).`;

/** The interpreter for --engine espruino, or why there is none. */
export function espruinoFor(locate: () => Located | undefined = locateEspruino): { path: string } | { error: string } {
  let found: Located | undefined;
  try {
    found = locate();
  } catch (e) {
    // A TINYIOT_ESPRUINO that names no interpreter: said as it is.
    return { error: (e as Error).message };
  }
  return found ? { path: found.path } : { error: `--engine espruino needs Espruino's interpreter built for Linux and none was found: ${HOW_TO_GET}` };
}

/** print, plus one line on stderr the first time the broker's certificate was not trusted: which CA, and where to give another. */
function withTrustHint(loaded: Loaded, print: (e: Event) => void): (e: Event) => void {
  const ca = loaded.script.ca ? `the script's "ca" ${loaded.script.ca}` : 'the system\'s trusted CAs: the script has no "ca"';
  let said = false;
  return (e) => {
    print(e);
    const hint = !said && 'reason' in e && e.reason ? untrustedServer(e.reason, ca, 'the script\'s "ca" (a PEM file, its path relative to the script)') : undefined;
    if (hint) process.stderr.write(`tinyiot script: ${hint}\n`);
    said ||= !!hint;
  };
}

function usage(msg: string): number {
  process.stderr.write(`tinyiot script: ${msg}\n\n${help}\n`);
  return 2;
}

export async function run(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv.filter((a) => a !== '--'), { engine: 'string', 'keep-going': 'boolean' }, Infinity);
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message);
    throw e;
  }
  if (args.positionals.length !== 1) return usage('expected one script file');
  const engine = (args.flags.engine ?? 'node') as string;
  if (!(ENGINES as readonly string[]).includes(engine)) return usage(`--engine must be ${ENGINES.join(' or ')} (got '${engine}')`);
  let loaded: Loaded;
  try {
    loaded = await loadScript(args.positionals[0]!);
  } catch (e) {
    if (!(e instanceof ScriptError)) throw e;
    process.stderr.write(`tinyiot script: ${e.message}\n`);
    return 2;
  }
  const plan = { ...toPlan(loaded.script, loaded.pem), stopOnFailure: args.flags['keep-going'] !== true };
  const print = withTrustHint(loaded, (e: Event) => process.stdout.write(jsonLine(e)));
  if (engine === 'node') return playOnNode(plan, print);
  const espruino = espruinoFor();
  if ('error' in espruino) {
    process.stderr.write(`tinyiot script: ${espruino.error}\n`);
    return 1;
  }
  // Loaded only here: bundling pulls in TypeScript, esbuild and terser, which the node engine never needs.
  const { playOnEspruino } = await import('../script/espruino-engine.js');
  return playOnEspruino(plan, print, espruino.path);
}
