import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { bootScript, moduleText, writeAtomic, writeOutput } from '../../../build/firmware/output.js';

const bundle = 'var tinyiot=(function(){return{run:function(env,cfg){env.print("run "+typeof env.require+" "+(env.serial?env.serial.name:"-"))}}})();\n';
const dir = mkdtempSync(join(tmpdir(), 'tinyiot-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function espruinoGlobals(lines: string[]) {
  const f = () => undefined;
  return {
    require: f, getTime: f, setTimeout: f, clearTimeout: f, E: {}, digitalWrite: f, digitalRead: f, analogRead: f,
    print: (s: string) => lines.push(s), Serial2: { name: 'Serial2' },
  };
}

describe('output', () => {
  it('boot script = bundle + the line that starts it with the board globals', () => {
    const lines: string[] = [];
    runInNewContext(bootScript(bundle, loadBoard('espruino-wifi')), espruinoGlobals(lines));
    expect(lines).toEqual(['run function Serial2']);
    expect(bootScript(bundle, loadBoard('emulator'))).toBe(bundle);
  });

  it('module text registers a module whose run() is the bundle run', () => {
    const lines: string[] = [];
    const cache: Record<string, () => void> = {};
    const g = { ...espruinoGlobals(lines), Modules: { addCached: (n: string, f: () => void) => (cache[n] = f) } };
    runInNewContext(moduleText(bundle, 'demo'), g);
    const exports: { run?: (e: object) => void } = {};
    // Espruino runs a cached module function with `exports` in scope.
    runInNewContext(`(${cache['tinyiot-demo']!.toString()})()`, { exports });
    exports.run!({ require: () => 0, print: (s: string) => lines.push(s) });
    expect(Object.keys(cache)).toEqual(['tinyiot-demo']);
    expect(lines).toEqual(['run function -']);
  });

  it('writes script, module and report under out/<board>/', async () => {
    const o = await writeOutput(dir, loadBoard('esp32'), 'demo', bundle, 'REPORT\n');
    expect(o.script).toBe(join(dir, 'esp32', 'demo.js'));
    expect(readFileSync(o.script, 'utf8')).toContain('tinyiot.run({require:require');
    expect(readFileSync(o.module!, 'utf8')).toMatch(/^Modules\.addCached\("tinyiot-demo",function\(\)\{/);
    expect(readFileSync(o.report, 'utf8')).toBe('REPORT\n');
    expect(o.entry).toBeUndefined();
    const sim = await writeOutput(dir, loadBoard('emulator'), 'demo', bundle, 'R\n', '// entry\n');
    expect(sim.module).toBeUndefined();
    expect(readFileSync(sim.entry!, 'utf8')).toBe('// entry\n');
    expect(sim.entry).toBe(join(dir, 'emulator', 'demo.entry.ts'));
  });

  it('writeAtomic replaces a file whole and leaves no temp file behind, also when writes overlap', async () => {
    const d = join(dir, 'atomic', 'deep');
    const f = join(d, 'x.js');
    await writeAtomic(f, 'old');
    const texts = ['a'.repeat(300000), 'b'.repeat(300000), 'c'.repeat(300000)];
    // A reader between the writes sees one whole version or another, never a mix or a cut.
    const reads: string[] = [];
    await Promise.all([...texts.map((t) => writeAtomic(f, t)), (async () => reads.push(readFileSync(f, 'utf8')))()]);
    expect(texts).toContain(readFileSync(f, 'utf8'));
    for (const r of reads) expect(['old', ...texts]).toContain(r);
    expect(readdirSync(d)).toEqual(['x.js']);
  });

  it('writeAtomic fails with the error and cleans up when the target cannot be replaced', async () => {
    const d = join(dir, 'blocked');
    // A folder where the file should go: the rename fails.
    await writeAtomic(join(d, 'x.js', 'inner'), '1');
    await expect(writeAtomic(join(d, 'x.js'), '2')).rejects.toThrow();
    expect(readdirSync(d)).toEqual(['x.js']);
  });
});
