// Runs a bundle plus a test script inside a real ES5-class engine, to prove the compiled firmware
// works outside Node: QuickJS in-process (quickjs-emscripten), duktape and mujs from Debian as
// child processes, and Espruino's own interpreter (build/espruino/engine.ts), the reference: the
// boards run it. Every engine gets `print(...)` and `sampleHeap()` (records heap use where the
// engine can measure it, a no-op elsewhere).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getQuickJS, shouldInterruptAfterDeadline } from 'quickjs-emscripten';
import { runEspruinoEngine } from './espruino/engine.js';

export type Engine = 'quickjs' | 'duktape' | 'mujs' | 'espruino';
export const engines: Engine[] = ['quickjs', 'duktape', 'mujs', 'espruino'];

export interface RunOptions {
  engine: Engine;
  /** Heap the bundle and script may use on top of an empty engine; quickjs and duktape only. */
  heapBytes?: number;
  /** ES5 source run after the bundle, in the same global scope. */
  script: string;
  timeoutMs?: number;
}

export interface RunResult {
  ok: boolean;
  /** Everything print() wrote, one line per call. */
  output: string;
  error?: string;
  /** Highest heap use over an empty engine: duktape exactly (its allocator), quickjs sampled (see runQuickjs). */
  peakBytes?: number;
  /** espruino only: highest process.memory().usage in blocks over the interpreter before loading. */
  peakBlocks?: number;
  /** quickjs only: what the engine holds once the script has run, over an empty engine (build/firmware/jsvars.ts). */
  counts?: EngineCounts;
}

/** What a QuickJS engine holds, counted by the engine itself (JS_ComputeMemoryUsage). */
export interface EngineCounts {
  /** Function objects: closures and bound functions (class ids 13 and 14 in this QuickJS). */
  functions: number;
  /** Properties of all objects (QuickJS counts a function's own length, name and prototype too). */
  props: number;
  /** Fast-array elements. */
  elements: number;
  /** Strings, and the bytes QuickJS spends on them. */
  strings: number;
  stringBytes: number;
  /** Typed-array buffers, and their bytes. */
  buffers: number;
  bufferBytes: number;
}

/** a minus b, field by field. */
export function countsMinus(a: EngineCounts, b: EngineCounts): EngineCounts {
  const d = { ...a };
  for (const k of Object.keys(d) as (keyof EngineCounts)[]) d[k] -= b[k];
  return d;
}

// mujs has no typed arrays. This stand-in defines one accessor property per element over a plain
// array, so element writes wrap to a byte and subarray() is a view sharing memory, as on a real
// Uint8Array (firmware relies on both). No ArrayBuffer, and indexes past the end are not ignored.
// Like duktape's typed arrays it has only set() and subarray() (no slice, join, indexOf...), so a
// bundle that passes here does not lean on ES2015 typed-array methods. Slow: tests only.
const mujsUint8Array = `
var Uint8Array = (function () {
  function at(u, s, k, i) {
    Object.defineProperty(u, i, {
      get: function () { return s[k]; },
      set: function (v) { s[k] = v & 255; },
      enumerable: true
    });
  }
  function view(u, s, o, n) {
    Object.defineProperty(u, 'length', { value: n });
    Object.defineProperty(u, '_s', { value: s });
    Object.defineProperty(u, '_o', { value: o });
    for (var i = 0; i < n; i++) at(u, s, o + i, i);
    return u;
  }
  function clamp(x, n, d) {
    return x === undefined ? d : x < 0 ? Math.max(n + x, 0) : Math.min(x, n);
  }
  function U8(x) {
    var n = typeof x === 'number' ? x : x.length, s = [], i;
    for (i = 0; i < n; i++) s[i] = typeof x === 'number' ? 0 : x[i] & 255;
    view(this, s, 0, n);
  }
  U8.BYTES_PER_ELEMENT = 1;
  U8.prototype.subarray = function (b, e) {
    b = clamp(b, this.length, 0);
    e = clamp(e, this.length, this.length);
    return view(Object.create(U8.prototype), this._s, this._o + b, e > b ? e - b : 0);
  };
  U8.prototype.set = function (src, off) {
    off = off || 0;
    if (off + src.length > this.length) throw new RangeError('offset is out of bounds');
    var t = [], i;
    for (i = 0; i < src.length; i++) t[i] = src[i];
    for (i = 0; i < t.length; i++) this[off + i] = t[i];
  };
  return U8;
})();
`;

const noopSample = 'function sampleHeap() {}\n';

export async function runInEngine(code: string, opts: RunOptions): Promise<RunResult> {
  if (!opts || !engines.includes(opts.engine)) throw new Error(`runInEngine: engine must be one of ${engines.join(', ')}`);
  if (typeof opts.script !== 'string') throw new Error('runInEngine: script must be a string');
  if (opts.heapBytes !== undefined && !(opts.heapBytes > 0)) throw new Error('runInEngine: heapBytes must be > 0');
  const source = `${code}\n;\n${opts.script}\n`;
  const timeoutMs = opts.timeoutMs ?? 20000;
  if (opts.engine === 'quickjs') return runQuickjs(source, opts.heapBytes, timeoutMs);
  if (opts.engine === 'duktape') return runDuktape(noopSample + source, opts.heapBytes, timeoutMs);
  if (opts.heapBytes !== undefined) throw new Error(`runInEngine: ${opts.engine} cannot cap its heap; use quickjs or duktape`);
  // print() is Espruino's own; sampleHeap() comes with the engine's harness.
  if (opts.engine === 'espruino') return runEspruinoEngine(source, timeoutMs);
  return runCli('mujs', [], mujsUint8Array + noopSample + source, timeoutMs);
}

// This quickjs-emscripten build has no malloc_usable_size, so QuickJS's own malloc accounting (what
// setMemoryLimit checks) counts 8 bytes per block whatever its size. The "memory used" figure of
// dumpMemoryUsage walks the live heap instead; it is sampled at every interrupt check (every ~10k
// bytecodes) and at sampleHeap(), and enforces heapBytes by interrupting the script.
async function runQuickjs(source: string, heapBytes: number | undefined, timeoutMs: number): Promise<RunResult> {
  const rt = (await getQuickJS()).newRuntime();
  const vm = rt.newContext();
  const lines: string[] = [];
  const used = (): number => Number(/memory used\s+\d+\s+(\d+)/.exec(rt.dumpMemoryUsage())?.[1] ?? NaN);
  const counts = (): EngineCounts => {
    const h = rt.computeMemoryUsage();
    const u = vm.dump(h) as Record<string, number>;
    h.dispose();
    // Objects by class, from the dump's "JSObject classes" table: count, class id, name.
    let functions = 0;
    for (const m of rt.dumpMemoryUsage().matchAll(/^\s+(\d+)\s+(\d+) \w+$/gm)) if (m[2] === '13' || m[2] === '14') functions += Number(m[1]);
    return { functions, props: u.prop_count!, elements: u.fast_array_elements!, strings: u.str_count!, stringBytes: u.str_size!,
      buffers: u.binary_object_count!, bufferBytes: u.binary_object_size! };
  };
  try {
    const print = vm.newFunction('print', (...args) => {
      lines.push(args.map((a) => String(vm.dump(a))).join(' '));
    });
    vm.setProp(vm.global, 'print', print);
    print.dispose();
    // Counted before the baseline: counting itself leaves garbage in the engine.
    const empty = counts(), base = used();
    let peak = base;
    let overBudget = false;
    const sample = (): boolean => {
      peak = Math.max(peak, used());
      overBudget ||= heapBytes !== undefined && peak - base > heapBytes;
      return overBudget;
    };
    const fn = vm.newFunction('sampleHeap', () => {
      // A host exception becomes a JS exception inside the engine.
      if (sample()) throw new Error('heap budget exceeded');
    });
    vm.setProp(vm.global, 'sampleHeap', fn);
    fn.dispose();
    const late = shouldInterruptAfterDeadline(Date.now() + timeoutMs);
    rt.setInterruptHandler((r) => sample() || late(r));
    const r = vm.evalCode(source, 'bundle.js');
    let error: string | undefined;
    if (r.error) {
      const e = vm.dump(r.error) as { name?: string; message?: string; stack?: string } | string;
      r.error.dispose();
      error = typeof e === 'object' && e ? `${e.name}: ${e.message}\n${e.stack ?? ''}`.trim() : String(e);
    } else {
      r.value.dispose();
    }
    sample();
    if (overBudget) error = `heap budget of ${heapBytes} bytes exceeded (peak ${peak - base})${error ? `\n${error}` : ''}`;
    return { ok: error === undefined, output: joinLines(lines), error, peakBytes: peak - base, counts: countsMinus(counts(), empty) };
  } finally {
    vm.dispose();
    rt.dispose();
  }
}

function joinLines(lines: string[]): string {
  return lines.length ? lines.join('\n') + '\n' : '';
}

let runnerPath: Promise<string | null> | undefined;

/**
 * Compiles the heap-capped duktape runner once per source version. When cc or libduktape is missing:
 * null (warned once) on a developer's box, a thrown error with cc's stderr under TINYIOT_REQUIRE_DEBIAN=1.
 */
function duktapeRunner(): Promise<string | null> {
  runnerPath ??= (async () => {
    const duktapeRunnerSource = await readFile(new URL('./duk-runner.c', import.meta.url), 'utf8');
    const hash = createHash('sha256').update(duktapeRunnerSource).digest('hex').slice(0, 12);
    const dir = join(tmpdir(), `tinyiot-duk-${hash}`);
    const bin = join(dir, 'duk-runner');
    if (existsSync(bin)) return bin;
    await mkdir(dir, { recursive: true });
    const src = join(dir, 'duk-runner.c');
    await writeFile(src, duktapeRunnerSource);
    const tmpBin = `${bin}.${process.pid}`;
    const r = await exec('cc', ['-O1', '-o', tmpBin, src, '-lduktape', '-lm'], 60000);
    if (r.code !== 0) {
      const why = `cannot build the heap-capped duktape runner (needs gcc libc6-dev duktape-dev): ${r.stderr.trim() || `cc exit ${r.code}`}`;
      // CI installs all of these: a failed build there is a broken setup, not a reason to measure less.
      if (process.env.TINYIOT_REQUIRE_DEBIAN === '1') throw new Error(why);
      console.warn(`${why}\nfalling back to the duk CLI: no heap cap, no peak`);
      return null;
    }
    await rename(tmpBin, bin);
    return bin;
  })();
  return runnerPath;
}

async function runDuktape(source: string, heapBytes: number | undefined, timeoutMs: number): Promise<RunResult> {
  const runner = await duktapeRunner();
  if (!runner) {
    if (heapBytes !== undefined) throw new Error('runInEngine: a duktape heap cap needs cc and libduktape (duktape-dev)');
    return runCli('duk', [], source, timeoutMs);
  }
  const dir = await mkdtemp(join(tmpdir(), 'tinyiot-es5-'));
  try {
    const file = join(dir, 'bundle.js');
    await writeFile(file, source);
    const r = await exec(runner, [file, String(heapBytes ?? 0)], timeoutMs);
    const m = /\nPEAK (\d+)\n?$/.exec(r.stderr);
    const stderr = (m ? r.stderr.slice(0, m.index) : r.stderr).trim();
    return {
      ok: r.code === 0,
      output: r.stdout,
      error: r.code === 0 ? undefined : stderr || `exit ${r.code}`,
      peakBytes: m ? Number(m[1]) : undefined,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runCli(cmd: string, args: string[], source: string, timeoutMs: number): Promise<RunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'tinyiot-es5-'));
  try {
    const file = join(dir, 'bundle.js');
    await writeFile(file, source);
    const r = await exec(cmd, [...args, file], timeoutMs);
    // The duk CLI reports an uncaught error on stdout-adjacent stderr and exits 1; mujs likewise.
    return { ok: r.code === 0 && r.stderr.trim() === '', output: r.stdout, error: r.code === 0 && !r.stderr.trim() ? undefined : r.stderr.trim() || `exit ${r.code}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Test aid, shared with test/support/binary.ts: TINYIOT_HIDE_BINARIES=mujs,duk,cc runs as if those
// commands were not installed.
function hidden(cmd: string): boolean {
  return (process.env.TINYIOT_HIDE_BINARIES ?? '').split(',').some((h) => h.trim() === cmd);
}

function exec(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  if (hidden(cmd)) return Promise.resolve({ code: 127, stdout: '', stderr: `${cmd}: not found (TINYIOT_HIDE_BINARIES)` });
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      let code = 0;
      if (e) code = typeof e.code === 'number' ? e.code : 1;
      if (e?.killed) stderr += `\nkilled after ${timeoutMs} ms`;
      if (e && typeof e.code === 'string') stderr += `\n${cmd}: ${e.message}`;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
