import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFirmware, toolkitFile } from '../../build/bundle.js';
import { engines, runInEngine } from '../../build/es5-engines.js';
import { verifyEs5 } from '../../build/verify.js';
import { engineMissing } from '../support/binary.js';

let dir: string;
const file = (name: string) => join(dir, name);

// Modern TypeScript of the kind firmware is written in: every construct here needs lowering.
const sources: Record<string, string> = {
  'shapes.ts': `
    export interface Pt { x: number; y: number }
    export abstract class Shape {
      private static made = 0;
      constructor(readonly name: string) { Shape.made++; }
      abstract area(): number;
      get label() { return \`\${this.name}:\${this.area()}\`; }
      static count() { return Shape.made; }
    }
    export class Rect extends Shape {
      constructor(private w: number, private h = 2) { super('rect'); }
      area() { return this.w * this.h; }
    }`,
  'main.ts': `
    import { Rect, Shape, type Pt } from './shapes.js';
    declare const DEBUG: boolean;
    export const VERSION = 'v1';
    export function run(...ns: number[]): string {
      const out: string[] = [];
      for (const n of ns) out.push(new Rect(n).label);
      const [first, ...rest] = ns;
      const p: Pt = { x: first ?? 0, y: rest.length };
      const q = { ...p, z: 1 };
      const bytes = new Uint8Array([...ns, 300]);
      let sum = 0;
      for (let i = 0; i < bytes.length; i++) sum += bytes[i]!;
      if (DEBUG) out.push('debug build');
      return out.join(',') + ' ' + JSON.stringify(q) + ' ' + sum + ' ' + Shape.count();
    }`,
  'uses-map.ts': 'export const m = new Map<string, number>();',
  'uses-node.ts': "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;",
  'uses-label.ts': 'export function f(a: number[][]) { outer: for (const r of a) for (const x of r) if (x) break outer; }',
  'broken.ts': 'export function f( {',
  'text.ts': "export const s = 'h\u00e9llo \u20ac\u{1F600}';",
  'side.ts': "print('side effect ran');\nexport const unused = 1;",
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tinyiot-bundle-'));
  for (const [name, src] of Object.entries(sources)) await writeFile(file(name), src);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const expected = 'rect:6,rect:8 {"x":3,"y":1,"z":1} 51 2';

describe('bundleFirmware', () => {
  it.each([false, true])('lowers modern TypeScript to ES5 that runs on real ES5 engines (minify %s)', async (minify) => {
    const r = await bundleFirmware(file('main.ts'), { globalName: 'app', minify, define: { DEBUG: 'false' } });
    expect(verifyEs5(r.code)).toEqual([]);
    expect(r.code).toMatch(/^var app ?=/);
    expect(r.bytes).toBe(Buffer.byteLength(r.code));
    for (const engine of engines) {
      if (engineMissing(engine)) continue;
      const out = await runInEngine(r.code, { engine, script: 'print(app.run(3, 4), app.VERSION);' });
      expect(out.error).toBeUndefined();
      expect(out.output).toBe(`${expected} v1\n`);
    }
  });

  it.skipIf(engineMissing('duktape'))('minifies: smaller output, same behaviour', async () => {
    const plain = await bundleFirmware(file('main.ts'), { globalName: 'app', define: { DEBUG: 'false' } });
    const small = await bundleFirmware(file('main.ts'), { globalName: 'app', minify: true, define: { DEBUG: 'false' } });
    expect(small.bytes).toBeLessThan(plain.bytes * 0.7);
    expect(plain.code).toMatch(/function Rect\d*\(/);
    expect(small.code).not.toContain('Rect');
    const out = await runInEngine(small.code, { engine: 'duktape', script: 'print(app.run(3, 4));' });
    expect(out.output).toBe(`${expected}\n`);
  });

  it.skipIf(engineMissing('duktape'))('applies defines, so dead branches go away when minified', async () => {
    const off = await bundleFirmware(file('main.ts'), { globalName: 'app', minify: true, define: { DEBUG: 'false' } });
    const on = await bundleFirmware(file('main.ts'), { globalName: 'app', minify: true, define: { DEBUG: 'true' } });
    expect(off.code).not.toContain('debug build');
    expect(on.code).toContain('debug build');
    const out = await runInEngine(on.code, { engine: 'duktape', script: 'print(app.run(3));' });
    expect(out.output).toMatch(/^rect:6,debug build /);
  });

  it('reports the bytes each module adds, largest first', async () => {
    const r = await bundleFirmware(file('main.ts'), { globalName: 'app', minify: true, define: { DEBUG: 'false' } });
    const paths = r.modules.map((m) => m.path);
    expect(paths.sort()).toEqual([relative(process.cwd(), file('main.ts')), relative(process.cwd(), file('shapes.ts'))].sort());
    expect(r.modules[0]!.bytes).toBeGreaterThanOrEqual(r.modules[1]!.bytes);
    for (const m of r.modules) expect(m.bytes).toBeGreaterThan(50);
    expect(r.modules.reduce((s, m) => s + m.bytes, 0)).toBeLessThan(r.bytes + 200);
  });

  it('without globalName, runs the entry for its effects and adds no global', async () => {
    const globals = 'var seen = []; for (var k in this) seen.push(k); print(seen.sort().join(","));';
    for (const engine of ['quickjs', 'duktape', 'mujs'] as const) {
      if (engineMissing(engine)) continue;
      const bare = await runInEngine('', { engine, script: globals });
      for (const entry of ['side.ts', 'main.ts']) {
        const r = await bundleFirmware(file(entry), { minify: true, define: { DEBUG: 'false' } });
        const out = await runInEngine(r.code, { engine, script: globals });
        expect(out.output).toBe((entry === 'side.ts' ? 'side effect ran\n' : '') + bare.output);
      }
    }
  });

  it.skipIf(engineMissing('duktape')).each([false, true])('writes non-ASCII text as escapes, since boards read source as bytes (minify %s)', async (minify) => {
    expect(sources['text.ts']).toContain('\u00e9');
    const r = await bundleFirmware(file('text.ts'), { globalName: 'txt', minify });
    expect(r.code).toMatch(/^[\x00-\x7f]*$/);
    const out = await runInEngine(r.code, { engine: 'duktape', script: 'print(txt.s.length, txt.s.charCodeAt(1), txt.s.charCodeAt(6));' });
    expect(out.output).toBe('9 233 8364\n');
  });

  it('writes outFile, creating its folder', async () => {
    const outFile = join(dir, 'out', 'deep', 'app.js');
    const r = await bundleFirmware(file('main.ts'), { globalName: 'app', minify: true, define: { DEBUG: 'false' }, outFile });
    expect(await readFile(outFile, 'utf8')).toBe(r.code);
  });

  it('refuses a bundle that uses a global ES5 boards lack', async () => {
    await expect(bundleFirmware(file('uses-map.ts'), { globalName: 'x' })).rejects.toThrow(/not plain ES5:\n.*global Map/);
  });

  it('refuses a labelled statement', async () => {
    await expect(bundleFirmware(file('uses-label.ts'), { globalName: 'x' })).rejects.toThrow(/labelled statement 'outer:'/);
  });

  it('refuses imports of packages or Node built-ins', async () => {
    await expect(bundleFirmware(file('uses-node.ts'))).rejects.toThrow(/may import only relative files, not 'node:fs'/);
  });

  it('resolves tinyiot/firmware/... and tinyiot/hal/... (an app outside the repository) to this checkout', () => {
    expect(toolkitFile('tinyiot/firmware/mqtt/client')).toMatch(/\/firmware\/mqtt\/client\.ts$/);
    expect(toolkitFile('tinyiot/hal/types.js')).toMatch(/\/hal\/types\.ts$/);
    expect(toolkitFile('tinyiot/build/cli')).toBeUndefined();
    expect(toolkitFile('tinyiot/firmware/../build/cli')).toBeUndefined();
    expect(toolkitFile('tinyiot/firmware/nope')).toBeUndefined();
  });

  it('reports TypeScript syntax errors with the file', async () => {
    await expect(bundleFirmware(file('broken.ts'))).rejects.toThrow(/bundle of .*broken\.ts failed:\n.*broken\.ts:1: '\}' expected/);
  });

  it('throws early on bad arguments', async () => {
    await expect(bundleFirmware('')).rejects.toThrow(/entry must be a file path/);
    await expect(bundleFirmware(file('main.ts'), { globalName: 'not-a-name' })).rejects.toThrow(/not an identifier/);
    await expect(bundleFirmware(file('missing.ts'))).rejects.toThrow(/failed/);
  });
});
