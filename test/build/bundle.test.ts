import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aliasThis, bundleFirmware, flattenClasses } from '../../build/bundle.js';
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
  'internal.ts': `
    class Counter {
      count_ = 0;
      constructor(readonly step_: number, readonly label: string) {}
      add_() { this.count_ += this.step_; return this; }
    }
    export function twice(step: number) {
      const c = new Counter(step, 'kept').add_().add_();
      return c.label + ' ' + c.count_ + ' ' + Object.keys(c).filter((k) => /_$/.test(k)).length;
    }`,
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

  it('reports TypeScript syntax errors with the file', async () => {
    await expect(bundleFirmware(file('broken.ts'))).rejects.toThrow(/bundle of .*broken\.ts failed:\n.*broken\.ts:1: '\}' expected/);
  });

  it('makes a class without a base class, statics or accessors at the module level, and only such a class', () => {
    const plain = 'var A = (function () {\n    function A(n) {\n        this.n = n;\n    }\n    A.prototype.m = function () { return this.n; };\n    A.prototype.k = function (x) { return x; };\n    return A;\n}());\nexport { A };\n';
    expect(flattenClasses(plain)).toBe('var A = /* @__PURE__ */ defineClass(function A(n) {\n        this.n = n;\n    }, {\n    m: function () { return this.n; },\n    k: function (x) { return x; }\n});\nexport { A };\n');
    const derived = 'var B = (function (_super) {\n    __extends(B, _super);\n    function B() { return _super.call(this) || this; }\n    return B;\n}(A));\n';
    const statics = 'var S = (function () {\n    function S() {}\n    S.made = 0;\n    return S;\n}());\n';
    const other = 'var C = (function () {\n    var x = 1;\n    function C() {}\n    return C;\n}());\nvar D = (function () { return 1; }());\n';
    for (const code of [derived, statics, other]) expect(flattenClasses(code)).toBe(code);
  });

  it('leaves out a class nothing uses, as it would a function', async () => {
    const r = await bundleFirmware(file('internal.ts'), { globalName: 'app' });
    expect(r.code).toContain('defineClass');
    const unused = await bundleFirmware(file('side.ts'), { globalName: 'app' });
    expect(unused.code).not.toContain('defineClass');
    await writeFile(file('unused-class.ts'), "export { VERSION } from './main.js';\nexport class Idle { run_() { return 1; } }\n");
    await writeFile(file('uses-version.ts'), "import { VERSION } from './unused-class.js';\nexport const v = VERSION;\n");
    const shaken = await bundleFirmware(file('uses-version.ts'), { globalName: 'app', define: { DEBUG: 'false' } });
    expect(shaken.code).not.toMatch(/Idle|run_|defineClass/);
  });

  it('reads `this` through a variable in a function that reads it three times or more, and only its own', () => {
    const three = 'function f() { return this.a + this.b + (this.c || function () { return this.d + this.e + this.f; }); }';
    expect(aliasThis(three)).toBe('function f() {var this$ = this; return this$.a + this$.b + (this$.c || function () {var this$ = this; return this$.d + this$.e + this$.f; }); }');
    const two = 'function g() { return this.a + this.b; }';
    expect(aliasThis(two)).toBe(two);
    const f = new Function('return ' + aliasThis(three).replace(/^function f/, 'function'))() as (this: object) => unknown;
    expect(f.call({ a: 1, b: 2, c: 3 })).toBe(6);
  });

  it.skipIf(engineMissing('duktape'))('minified, shortens property names ending in "_" and no others', async () => {
    const r = await bundleFirmware(file('internal.ts'), { globalName: 'app', minify: true });
    expect(r.code).not.toMatch(/count_|step_|add_/);
    expect(r.code).toContain('label');
    const out = await runInEngine(r.code, { engine: 'duktape', script: 'print(app.twice(3));' });
    expect(out.output).toBe('kept 6 0\n');
    const plain = await bundleFirmware(file('internal.ts'), { globalName: 'app' });
    expect(plain.code).toContain('count_');
    expect((await runInEngine(plain.code, { engine: 'duktape', script: 'print(app.twice(3));' })).output).toBe('kept 6 2\n');
  });

  it('throws early on bad arguments', async () => {
    await expect(bundleFirmware('')).rejects.toThrow(/entry must be a file path/);
    await expect(bundleFirmware(file('main.ts'), { globalName: 'not-a-name' })).rejects.toThrow(/not an identifier/);
    await expect(bundleFirmware(file('missing.ts'))).rejects.toThrow(/failed/);
  });
});
