// Measuring on Espruino's interpreter: blocks in use (process.memory().usage, sampled by typing
// mem(tag) at the console, see programs.ts) and instructions counted by callgrind.
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEspruino } from '../../../build/espruino/process.js';
import { FRAME, type MemoryProgram, TOGGLE } from './programs.js';

/** The text after FRAME in a line (prompts and terminal escapes may come before it), else undefined. */
export function frameOf(line: string): string | undefined {
  const i = line.indexOf(FRAME);
  return i < 0 ? undefined : line.slice(i + FRAME.length).trimEnd();
}

/** A line of the interpreter's own output, without its prompt and terminal escapes. */
export function cleanLine(line: string): string {
  return line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/^>+/, '').trim();
}

/** Total Ir of a callgrind output file: its `summary:` (or `totals:`) line, in the column of Ir. */
export function parseCallgrind(text: string): number {
  const events = /^events:\s*(.+)$/m.exec(text)?.[1]?.trim().split(/\s+/) ?? ['Ir'];
  const col = events.indexOf('Ir');
  if (col < 0) throw new Error(`callgrind output counts no Ir (events: ${events.join(' ')})`);
  const line = /^summary:\s*(.+)$/m.exec(text) ?? /^totals:\s*(.+)$/m.exec(text);
  const v = Number(line?.[1]?.trim().split(/\s+/)[col]);
  if (!line || !Number.isFinite(v)) throw new Error('callgrind output has no summary or totals line');
  return v;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Framed lines as they come, with waiting for one; the rest of the output is kept for errors. */
class Lines {
  private frames: string[] = [];
  private waiters: { test: (f: string) => boolean; done: (f: string) => void }[] = [];
  readonly other: string[] = [];

  push(line: string): void {
    const f = frameOf(line);
    if (f === undefined) {
      const c = cleanLine(line);
      if (c) this.other.push(c.slice(0, 200));
      if (this.other.length > 40) this.other.shift();
      return;
    }
    this.frames.push(f);
    for (const w of [...this.waiters]) if (w.test(f)) w.done(f);
  }

  errors(): string[] {
    return this.frames.filter((f) => f.startsWith('error ')).map((f) => f.slice(6));
  }

  /** The first framed line passing test (also one already seen), or a timeout naming what. */
  wait(test: (f: string) => boolean, what: string, ms: number): Promise<string> {
    const seen = this.frames.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return bounded(new Promise<string>((res) => {
      const w = { test, done: (f: string) => (this.waiters.splice(this.waiters.indexOf(w), 1), res(f)) };
      this.waiters.push(w);
    }), what, ms);
  }
}

/** p, or a rejection naming what when it has not settled within ms. */
export function bounded<T>(p: Promise<T>, what: string, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, no) => (t = setTimeout(() => no(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(t));
}

export interface MemoryOptions {
  program: MemoryProgram;
  storage: Record<string, string>;
  /** Only the load is measured when false. */
  connect: boolean;
  /** 'suback': the program's own framed line; else a host-side signal (it must never reject). */
  ready: 'suback' | Promise<void>;
  /** What ready means, for a timeout message. */
  readyWhat: string;
  readyMs: number;
  /** Time between ready and the sample. */
  settleMs: number;
  binary?: string;
  /** Grow the store first, as a board has its whole store from power-up (build/espruino/process.ts). */
  growStore?: boolean;
}

export interface MemoryResult {
  /** Blocks in use before the code was loaded, after it was loaded, and settled once connected. */
  base?: number;
  load?: number;
  connected?: number;
  /** Why a figure is missing, with what the firmware printed about it. */
  error?: string;
}

/** One interpreter: baseline, load, connect; each sample typed at the console. */
export async function memoryRun(o: MemoryOptions): Promise<MemoryResult> {
  const lines = new Lines();
  const run = await runEspruino({ binary: o.binary, growStore: o.growStore, storage: o.storage, boot: o.program.boot, onLine: (l) => lines.push(l) });
  const r: MemoryResult = {};
  const sample = async (tag: string) => {
    run.type(`\x10mem(${JSON.stringify(tag)})`);
    const f = await lines.wait((x) => x.startsWith(`mem ${tag} `), `the ${tag} sample`, 10_000);
    return Number(f.split(' ')[2]);
  };
  try {
    const died = run.exited.then((c) => new Error(`the interpreter exited (${c}) before the program started`));
    const first = await Promise.race([lines.wait((f) => f === 'ready', 'the program to start', 10_000), died]);
    if (first instanceof Error) throw first;
    r.base = await sample('base');
    run.type(`\x10${o.program.load}`);
    r.load = await sample('load');
    if (!o.connect) return r;
    run.type(`\x10${o.program.start}`);
    await (o.ready === 'suback' ? lines.wait((f) => f === 'suback', o.readyWhat, o.readyMs) : bounded(o.ready, o.readyWhat, o.readyMs));
    await sleep(o.settleMs);
    r.connected = await sample('conn');
  } catch (e) {
    // What the firmware said about the failure: errors and warnings, but not the two standing
    // warnings about an unverified or absent TLS.
    const said = [...lines.errors(), ...lines.other.filter((l) => /error|warn|uncaught|fail/i.test(l) && !/does not verify|TLS is OFF/.test(l))];
    r.error = (e as Error).message + (said.length ? `; the firmware said: ${[...new Set(said)].slice(-3).join(' | ')}` : '');
  } finally {
    await run.stop();
  }
  return r;
}

/** A folder holding espruino.flash with these Storage files, written by the interpreter itself. */
export async function flashWith(files: Record<string, string>, binary?: string): Promise<string> {
  const run = await runEspruino({ binary, storage: files, boot: 'quit();' });
  const dir = await mkdtemp(join(tmpdir(), 'tinyiot-bench-flash-'));
  try {
    await bounded(run.exited, 'the interpreter to write Storage', 20_000);
    await copyFile(join(run.dir, 'espruino.flash'), join(dir, 'espruino.flash'));
  } finally {
    await run.stop();
  }
  return dir;
}

export interface Count {
  /** Instructions counted while TOGGLE ran. */
  ir: number;
  /** What the program printed as its check (the result of one operation). */
  check: string;
}

/** Runs program under callgrind in a copy of the flash folder; counts only inside TOGGLE. */
export async function countInstructions(o: { flashDir: string; program: string; binary: string; valgrind: string }): Promise<Count> {
  const dir = await mkdtemp(join(tmpdir(), 'tinyiot-bench-cg-'));
  try {
    await copyFile(join(o.flashDir, 'espruino.flash'), join(dir, 'espruino.flash'));
    await writeFile(join(dir, 'prog.js'), o.program);
    const args = ['--tool=callgrind', `--toggle-collect=${TOGGLE}`, `--callgrind-out-file=${join(dir, 'cg.out')}`, o.binary, 'prog.js'];
    const out = await new Promise<string>((res, rej) => {
      const c = spawn(o.valgrind, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      const t = setTimeout(() => c.kill('SIGKILL'), 180_000);
      c.stdout.on('data', (d: Buffer) => (text += d.toString('latin1')));
      c.stderr.on('data', () => undefined);
      c.on('error', rej);
      c.on('close', () => (clearTimeout(t), res(text)));
    });
    const frames = out.split('\n').map(frameOf).filter((f): f is string => f !== undefined);
    const errors = frames.filter((f) => f.startsWith('error '));
    if (!frames.includes('done') || errors.length) {
      const tail = out.split('\n').map(cleanLine).filter(Boolean).slice(-6).join(' | ');
      throw new Error(`the program did not finish cleanly: ${errors.join('; ') || tail}`);
    }
    const check = frames.find((f) => f.startsWith('check '))?.slice(6) ?? '';
    return { ir: parseCallgrind(await readFile(join(dir, 'cg.out'), 'utf8')), check };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
