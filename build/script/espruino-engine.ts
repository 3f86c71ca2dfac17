// `--engine espruino`: the step player inside Espruino's own interpreter, on the firmware's MQTT
// client over hal/espruino's transport (Espruino's net and tls). The host stores the bundle and the
// plan in the interpreter's Storage, boots it, reads the framed lines it prints (frames.ts) and
// prints their events as the Node engine does. Other lines (the interpreter's own errors, the HAL's
// warnings) go to stderr.
import { runEspruino, type EspruinoRun } from '../espruino/process.js';
import { scriptBundle } from './espruino-bundle.js';
import { present, type Emit } from './events.js';
import { CODE_FILE, END_FRAME, EVENT_FRAME, FRAME_MARK, GLOBAL, PLAN_FILE } from './frames.js';
import { asciiJson, type Plan } from './plan.js';
import type { PlayerEvent } from './player.js';

/** How long the interpreter may take to close its socket and exit once the player is done. */
const EXIT_GRACE_MS = 3000;

/** The Espruino globals hal/espruino's env takes (hal/espruino/env.ts) that the player's HAL uses. */
const ENV = ['require', 'getTime', 'setTimeout', 'clearTimeout', 'E', 'print'];

const BOOT =
  `eval(require("Storage").read(${JSON.stringify(CODE_FILE)}));` +
  `${GLOBAL}.run({${ENV.map((g) => `${g}:${g}`).join(',')}});`;

function parseEvent(json: string): PlayerEvent | undefined {
  try {
    const e = JSON.parse(json) as PlayerEvent;
    return typeof e === 'object' && e !== null && typeof e.ev === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
}

export async function playOnEspruino(plan: Plan, emit: Emit, binary: string): Promise<number> {
  const code = await scriptBundle();
  let exitCode: number | undefined;
  let ended: () => void = () => {};
  const end = new Promise<void>((resolve) => (ended = resolve));
  const onLine = (line: string) => {
    // The console may put its prompt in front of a line: a frame is found wherever it starts.
    const at = line.indexOf(FRAME_MARK);
    const frame = at < 0 ? '' : line.slice(at);
    const e = frame.startsWith(EVENT_FRAME) ? parseEvent(frame.slice(EVENT_FRAME.length)) : undefined;
    if (e) return emit(present(e));
    if (frame.startsWith(END_FRAME) && exitCode === undefined) {
      exitCode = Number(frame.slice(END_FRAME.length)) ? 1 : 0;
      return ended();
    }
    // The console's prompt on a line of its own is noise.
    if (/^[>\s]*$/.test(line)) return;
    process.stderr.write(`espruino: ${line}\n`);
  };
  // Espruino carries on through Ctrl-C (its console takes SIGINT as "stop the running code"): the
  // interpreter, and its folder with the script's PEM files, go with this process.
  let run: EspruinoRun | undefined;
  let signalled: number | undefined;
  const stopAndExit = () => void run!.stop().then(() => process.exit(signalled));
  const interrupted = (signal: NodeJS.Signals) => {
    signalled = signal === 'SIGINT' ? 130 : 143;
    // Before the interpreter booted, Storage is being written by a run that quits by itself.
    if (run) stopAndExit();
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    run = await runEspruino({ binary, growStore: true, storage: { [CODE_FILE]: code, [PLAN_FILE]: asciiJson(plan) }, boot: BOOT, onLine });
    if (signalled !== undefined) stopAndExit();
    const status = await Promise.race([run.exited, end.then(() => 'done' as const)]);
    if (status === 'done') {
      // The DISCONNECT is written; Espruino exits by itself once its socket is closed.
      await Promise.race([run.exited, new Promise((r) => setTimeout(r, EXIT_GRACE_MS).unref())]);
    }
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await run?.stop();
  }
  if (exitCode !== undefined) return exitCode;
  const status = await run.exited;
  emit({ ev: 'error', msg: `the Espruino interpreter ended before the script did (exit status ${status ?? 'killed'}); its output is on stderr` });
  return 1;
}
