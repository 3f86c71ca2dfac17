// Runs code on Espruino's interpreter as a board runs it. Each run gets a fresh working folder,
// because Espruino keeps its Storage (flash) in ./espruino.flash. Files are written to Storage by a
// first, separate run, so the run that matters starts as a board powers up: nothing in RAM but what
// the boot code loads, and code evaluated from Storage keeps its text in flash.
// The host reads what the firmware prints, line by line, and can type lines into the console (the
// interpreter's stdin is its REPL, with echo turned off by the boot code).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOW_TO_GET, locateEspruino } from './locate.js';

export interface EspruinoOptions {
  /** Storage files to write before the boot run (name -> text). Names up to 28 characters. */
  storage?: Record<string, string>;
  /** ES5 code the boot run starts with, e.g. `eval(require("Storage").read("app"))`. */
  boot: string;
  /** Grow the variable store before booting, as a board has its whole store from power-up (see GROW_STORE). */
  growStore?: boolean;
  /** Every line the interpreter prints after its banner, without the line end. */
  onLine?: (line: string) => void;
  /** The interpreter; default locateEspruino(). */
  binary?: string;
  /** Extra environment for the interpreter. */
  env?: NodeJS.ProcessEnv;
}

export interface EspruinoRun {
  /** The run's working folder (holds espruino.flash). */
  dir: string;
  child: ChildProcess;
  /** Types one line into the console, as a user at the REPL would; held until the boot code has run. */
  type(line: string): void;
  /** Resolves with the exit code (null when killed) once the interpreter ended. */
  exited: Promise<number | null>;
  /** True once the boot code has run (thrown or not); false when the interpreter ended first. */
  ready: Promise<boolean>;
  /** Ends the interpreter (SIGKILL if it does not go within a second) and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Espruino built for Linux starts with 4,096 variables and adds more only when a variable is
 * needed, while mbedTLS takes its memory (two runs of about 620 contiguous blocks for an RSA-2048
 * handshake) from the same store without growing it: with firmware loaded, the handshake then
 * fails for want of memory (-0x4290). A board has its whole store from power-up; this makes the
 * store grow to 16,384 variables first, by parsing (natively, in a few ms) an array of 12,000
 * elements that is garbage right after. (Failures on later retries come from fragmentation, which
 * the Espruino transport meets with E.defrag(): see docs/tls.md.)
 */
export const GROW_STORE = 'JSON.parse("[" + new Array(12000).join("0,") + "0]");';

/** Printed once the boot code has run: a line typed before it could land in the middle of the boot. */
const READY = '\x10tinyiot-ready';

export function espruinoBinary(binary?: string): string {
  if (binary) return binary;
  const found = locateEspruino();
  if (!found) throw new Error(`no Espruino interpreter found: ${HOW_TO_GET}`);
  return found.path;
}

/** Writes each Storage file with one run of the interpreter in dir. */
async function writeStorage(bin: string, dir: string, files: Record<string, string>): Promise<void> {
  const lines = Object.entries(files).map(([name, text]) => {
    if (name.length > 28) throw new Error(`Storage name '${name}' is longer than 28 characters`);
    return `if (!require("Storage").write(${JSON.stringify(name)}, ${JSON.stringify(text)})) print("STORAGE-FAILED");`;
  });
  await writeFile(join(dir, 'store.js'), `${lines.join('\n')}\nprint("STORAGE-DONE");\nquit();\n`);
  const out = await new Promise<string>((res, rej) => {
    const c = spawn(bin, ['store.js'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    c.stdout.on('data', (d: Buffer) => (text += d.toString('latin1')));
    c.stderr.on('data', (d: Buffer) => (text += d.toString('latin1')));
    c.on('error', rej);
    c.on('close', () => res(text));
  });
  if (!out.includes('STORAGE-DONE') || out.includes('STORAGE-FAILED')) throw new Error(`writing Storage failed:\n${out.trim()}`);
}

export async function runEspruino(o: EspruinoOptions): Promise<EspruinoRun> {
  const bin = espruinoBinary(o.binary);
  const dir = await mkdtemp(join(tmpdir(), 'tinyiot-espruino-'));
  try {
    if (o.storage && Object.keys(o.storage).length) await writeStorage(bin, dir, o.storage);
    await writeFile(join(dir, 'boot.js'), `echo(0);\n${o.growStore ? GROW_STORE : ''}\ntry {\n${o.boot}\n} finally { print(${JSON.stringify(READY)}); }\n`);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const child = spawn(bin, ['boot.js'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...o.env } });
  // The banner ends with the donation link; everything after it is the program's.
  let banner = true, rest = '', ready = false;
  let booted: (ok: boolean) => void = () => undefined;
  const readyPromise = new Promise<boolean>((res) => (booted = res));
  const held: string[] = [];
  const send = (line: string) => {
    if (child.stdin!.writable) child.stdin!.write(`${line}\n`);
  };
  const feed = (d: Buffer) => {
    rest += d.toString('latin1');
    let i;
    while ((i = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, i).replace(/\r$/, '');
      rest = rest.slice(i + 1);
      if (banner) {
        if (line.includes('espruino.com/Donate')) banner = false;
        continue;
      }
      if (!ready && line.endsWith(READY)) {
        ready = true;
        booted(true);
        held.splice(0).forEach(send);
        continue;
      }
      o.onLine?.(line);
    }
  };
  child.stdout!.on('data', feed);
  child.stderr!.on('data', feed);
  child.stdin!.on('error', () => undefined);
  const exited = new Promise<number | null>((res) => {
    child.on('error', () => res(null));
    child.on('close', (code) => res(code));
  });
  void exited.then(() => booted(false));
  let stopping: Promise<void> | undefined;
  return {
    dir,
    child,
    exited,
    ready: readyPromise,
    type(line) {
      if (ready) send(line);
      else held.push(line);
    },
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 1000);
          await exited;
          clearTimeout(t);
        }
        await rm(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}
