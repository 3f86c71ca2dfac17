import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { engines, runInEngine } from '../../build/es5-engines.js';
import { engineMissing, requireBinary } from '../support/binary.js';

const lib = 'var lib = { twice: function (n) { return n * 2; } };';

describe.each(engines)('runInEngine on %s', (engine) => {
  beforeEach(({ skip }) => skip(engineMissing(engine)));
  it('runs the bundle then the script in one global scope, collecting print()', async () => {
    const r = await runInEngine(lib, { engine, script: 'print("twice", lib.twice(21)); print("two", "args");' });
    expect(r).toMatchObject({ ok: true, output: 'twice 42\ntwo args\n', error: undefined });
  });

  it('reports an uncaught error with its message, keeping what was printed before', async () => {
    const r = await runInEngine(lib, { engine, script: 'print("before"); lib.nope();' });
    expect(r.ok).toBe(false);
    expect(r.output).toBe('before\n');
    // Espruino words it "Error: Function \"nope\" not found!".
    expect(r.error).toMatch(engine === 'espruino' ? /"nope" not found/ : /TypeError/);
  });

  it('reports a syntax error in the script', async () => {
    const r = await runInEngine(lib, { engine, script: 'var = ;' });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/SyntaxError/);
  });

  it('offers a Uint8Array whose writes wrap to a byte and whose subarray is a view', async () => {
    const script = `
      var a = new Uint8Array(5), v = a.subarray(1, 4);
      a[0] = 300; v[0] = -1; v.set([7, 8], 1);
      var c = new Uint8Array([1, 258]);
      print([].join.call(a, ','), v.length, v instanceof Uint8Array, c[1], a.subarray(-1).length);`;
    const r = await runInEngine('', { engine, script });
    expect(r.output).toBe('44,255,7,8,0 3 true 2 1\n');
  });

  it('gives sampleHeap() to every script', async () => {
    const r = await runInEngine('', { engine, script: 'sampleHeap(); print(typeof sampleHeap);' });
    expect(r.output).toBe('function\n');
  });
});

describe('heap measurement and caps', () => {
  // duktape's peak and cap come from a runner built with cc against libduktape.
  const noRunner = (e: string) => e === 'duktape' && (engineMissing(e) || requireBinary('cc', 'gcc libc6-dev duktape-dev').missing);
  const grow = 'var keep = []; for (var i = 0; i < 2000; i++) { keep.push({ i: i, s: "item " + i }); sampleHeap(); } print(keep.length);';

  it.for(['quickjs', 'duktape'] as const)('%s reports a peak that grows with what the script keeps', async (engine, { skip }) => {
    skip(noRunner(engine));
    const small = await runInEngine('', { engine, script: 'var x = 1; sampleHeap(); print(x);' });
    const big = await runInEngine('', { engine, script: grow });
    expect(small.ok && big.ok).toBe(true);
    expect(small.peakBytes).toBeGreaterThanOrEqual(0);
    expect(big.peakBytes).toBeGreaterThan(2000 * 16);
    expect(big.peakBytes!).toBeGreaterThan(small.peakBytes! * 10);
  });

  it.for(['quickjs', 'duktape'] as const)('%s stops a script that outgrows heapBytes', async (engine, { skip }) => {
    skip(noRunner(engine));
    const capped = await runInEngine('', { engine, script: grow, heapBytes: 20000 });
    expect(capped.ok).toBe(false);
    expect(capped.output).toBe('');
    const roomy = await runInEngine('', { engine, script: grow, heapBytes: 4 << 20 });
    expect(roomy).toMatchObject({ ok: true, output: '2000\n' });
  });

  it.skipIf(noRunner('duktape'))('duktape counts exactly: the cap is never passed', async () => {
    const r = await runInEngine('', { engine: 'duktape', script: grow, heapBytes: 30000 });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/alloc failed/);
    expect(r.peakBytes).toBeLessThanOrEqual(30000);
  });

  it.skipIf(engineMissing('mujs'))('mujs gives no peak and refuses a cap', async () => {
    const r = await runInEngine('', { engine: 'mujs', script: 'print(1)' });
    expect(r.peakBytes).toBeUndefined();
    await expect(runInEngine('', { engine: 'mujs', script: '', heapBytes: 1000 })).rejects.toThrow(/mujs cannot cap/);
  });
});

describe('runInEngine arguments and limits', () => {
  it('throws on an unknown engine or a bad heap size', async () => {
    await expect(runInEngine('', { engine: 'v8' as never, script: '' })).rejects.toThrow(/engine must be one of/);
    await expect(runInEngine('', { engine: 'quickjs', script: '', heapBytes: 0 })).rejects.toThrow(/heapBytes/);
  });

  it.for(engines)('%s: a script that never ends is stopped', async (engine, { skip }) => {
    skip(engineMissing(engine));
    const r = await runInEngine('', { engine, script: 'for (;;) {}', timeoutMs: 300 });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/interrupted|killed/);
  });
});

describe('when the duktape runner cannot be built', () => {
  // A fresh TMPDIR means no cached runner; hiding cc makes the build fail as on a box without gcc.
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tinyiot-nocc-'));
    vi.stubEnv('TMPDIR', dir);
    vi.stubEnv('TINYIOT_HIDE_BINARIES', 'cc');
    vi.resetModules();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails with the build error under TINYIOT_REQUIRE_DEBIAN=1', async () => {
    vi.stubEnv('TINYIOT_REQUIRE_DEBIAN', '1');
    const fresh = await import('../../build/es5-engines.js');
    await expect(fresh.runInEngine('', { engine: 'duktape', script: 'print(1)' })).rejects.toThrow(/cannot build the heap-capped duktape runner.*cc: not found/s);
  });

  it.skipIf(engineMissing('duktape'))('otherwise warns once and falls back to the duk CLI, without a peak', async () => {
    vi.stubEnv('TINYIOT_REQUIRE_DEBIAN', '');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const fresh = await import('../../build/es5-engines.js');
    const a = await fresh.runInEngine('', { engine: 'duktape', script: 'print(6 * 7)' });
    const b = await fresh.runInEngine('', { engine: 'duktape', script: 'print(1)' });
    expect(a).toMatchObject({ ok: true, output: '42\n' });
    expect(a.peakBytes).toBeUndefined();
    expect(b.ok).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/falling back to the duk CLI/);
    await expect(fresh.runInEngine('', { engine: 'duktape', script: '', heapBytes: 1000 })).rejects.toThrow(/heap cap needs cc/);
  });
});
