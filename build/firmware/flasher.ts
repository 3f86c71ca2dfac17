// Uploads a built <app>.js to a board through EspruinoTools (the `espruino` npm package), always as a
// child process: it sets NODE_TLS_REJECT_UNAUTHORIZED=0 for its own process and loads native BLE and
// serial modules (docs/espruino.md#uploading-espruinotools). It is given a board JSON made from our board file (--board
// ./X.json), so it never asks the internet about the board. Three runs, each with a deadline:
//   1. probe: print a marker and the firmware version; no marker = no board answered;
//   2. upload: --storage .bootcde:- writes the code to Storage ".bootcde" (and --config's file to
//      "tinyiot.json"), then load()s it;
//   3. verify: read back the stored length and compare.
// EspruinoTools exits 0 even when the port refuses the connection, so success is judged from what
// the board printed, never from the exit code.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Board } from '../boards.js';
import { UsageError } from '../usage-error.js';

// Resolved as Node resolves a dependency, so it is found where npm put it: inside this checkout's
// node_modules, or beside tinyiot in a project that installed tinyiot (npm hoists it there).
export const espruinoCli = ((): string => {
  try {
    return createRequire(import.meta.url).resolve('espruino/bin/espruino-cli.js');
  } catch {
    return fileURLToPath(new URL('../../node_modules/espruino/bin/espruino-cli.js', import.meta.url));
  }
})();

/** Espruino added Storage in 1v96; the board JSON claims a version that has it. */
const MIN_VERSION = '2v00';

export interface FlashOptions {
  /** Path of the built <app>.js. */
  script: string;
  /** Its size, to check what the board stored. */
  bytes: number;
  board: Board;
  /** tcp://host:port, or a serial device such as /dev/ttyUSB0. */
  port: string;
  /** JSON file stored as "tinyiot.json" (the app's config; may hold secrets, never printed). */
  config?: string;
  baud?: number;
  /** Deadline of each of the three runs, ms (default 30000). */
  timeoutMs?: number;
  progress?: (line: string) => void;
}

export class FlashError extends Error {}

export function checkPort(port: string): void {
  if (/^tcp:\/\//.test(port)) {
    if (!/^tcp:\/\/[^\s:/]+:\d{1,5}$/.test(port)) throw new UsageError(`--port ${port}: expected tcp://host:port`);
    return;
  }
  if (!existsSync(port)) throw new FlashError(`--port ${port}: no such serial device (expected a device path such as /dev/ttyUSB0, or tcp://host:port)`);
}

/** The board JSON EspruinoTools reads instead of asking espruino.com. */
export function toolsBoardJson(b: Board): object {
  return {
    BOARD: b.espruinoBoard,
    info: {
      name: b.name,
      binary_version: MIN_VERSION,
      builtin_modules: ['Storage', 'Flash', 'net', 'tls', 'crypto', 'Wifi', 'http'],
    },
    chip: { ram: b.ramKB, saved_code: { address: 0, page_size: 1024, pages: b.flashCodeKB } },
  };
}

interface Run {
  out: string;
  timedOut: boolean;
}

function runTools(args: string[], cwd: string, ms: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [espruinoCli, '--no-ble', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let timedOut = false;
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    const t = setTimeout(() => {
      timedOut = true;
      c.kill('SIGKILL');
    }, ms);
    c.on('error', (e) => {
      clearTimeout(t);
      reject(new FlashError(`cannot run EspruinoTools (${espruinoCli}): ${e.message}`));
    });
    c.on('close', () => {
      clearTimeout(t);
      resolve({ out, timedOut });
    });
  });
}

function connectProblem(r: Run, port: string): string | undefined {
  const e = /RECEIVE ERROR:.*"code":"(\w+)"/.exec(r.out);
  if (e) return `cannot connect to ${port}: ${e[1]}`;
  if (/Unable to connect|Unable to open/.test(r.out)) return `cannot open ${port}`;
  return undefined;
}

export async function flash(o: FlashOptions): Promise<void> {
  const say = o.progress ?? (() => undefined);
  const ms = o.timeoutMs ?? 30000;
  checkPort(o.port);
  if (!existsSync(espruinoCli)) throw new FlashError(`EspruinoTools is not installed (npm i -D espruino@0.1.67)`);
  const dir = await mkdtemp(join(tmpdir(), 'tinyiot-flash-'));
  try {
    const boardFile = join(dir, 'board.json');
    await writeFile(boardFile, JSON.stringify(toolsBoardJson(o.board)));
    const base = ['--board', boardFile, '-p', o.port, ...(o.baud ? ['-b', String(o.baud)] : [])];
    const noAnswer = (what: string) =>
      new FlashError(`no board answered on ${o.port} (${what}): is it powered, connected to this port, and at the JavaScript prompt?`);

    say(`connecting to ${o.port}`);
    const probe = await runTools([...base, '-e', 'print("TINYIOT"+"-PROBE",process.env.VERSION)'], dir, ms);
    const bad = connectProblem(probe, o.port);
    if (bad) throw new FlashError(bad);
    const v = /TINYIOT-PROBE (\S+)/.exec(probe.out);
    if (!v) throw noAnswer(probe.timedOut ? `no reply within ${ms / 1000} s` : 'no reply to the probe');
    say(`board answered: Espruino ${v[1]}`);

    say(`uploading ${o.bytes} bytes to Storage ".bootcde"${o.config ? ' and the config to "tinyiot.json"' : ''}`);
    const up = await runTools([...base, ...(o.config ? ['--storage', `tinyiot.json:${o.config}`] : []), '--storage', '.bootcde:-', o.script], dir, ms);
    if (connectProblem(up, o.port) || !/Upload Complete/.test(up.out)) {
      throw noAnswer(up.timedOut ? `upload not finished within ${ms / 1000} s` : 'upload not confirmed');
    }

    say('verifying');
    const check = await runTools([...base, '-e', 'print("TINYIOT"+"-STORED",(require("Storage").read(".bootcde")||"").length)'], dir, ms);
    const n = /TINYIOT-STORED (\d+)/.exec(check.out);
    if (!n) throw noAnswer('no reply to the check');
    if (Number(n[1]) !== o.bytes) throw new FlashError(`the board stored ${n[1]} bytes of ".bootcde", expected ${o.bytes}: upload again`);
    say('done: the firmware runs now and at every power-up');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
