// The global layout (build/global-layout.ts): the bundle's wrapper taken apart, its names prefixed
// so that they meet neither what people type at a board's console nor Espruino's built-ins, and
// on Espruino's interpreter a block less per function than the same code wrapped.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'acorn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFirmware } from '../../build/bundle.js';
import { engines, runInEngine } from '../../build/es5-engines.js';
import { applyEdits, globalLayoutEdits } from '../../build/global-layout.js';
import { hoistEdits, idName, type Node } from '../../build/hoist.js';
import { verifyEs5 } from '../../build/verify.js';
import { engineMissing } from '../support/binary.js';
import { requireEspruino } from '../support/espruino.js';

const laidOut = (code: string, name = 'lib') => applyEdits(code, globalLayoutEdits(code, name, hoistEdits(code)));

describe('globalLayoutEdits', () => {
  it('takes the wrapper apart and prefixes every name it declared, wherever it is used, and nothing else', () => {
    const code = 'var lib=function(){var n=1,t={a:2};function r(n){return n+t.a}function e(){var t=5;return r(t)+n}return{f:e,g:r}}();';
    const out = laidOut(code);
    expect(out).toBe('var $n=1,$t={a:2};function $r(n){return n+$t.a}function $e(){var t=5;return $r(t)+$n}var lib={f:$e,g:$r};');
    expect(verifyEs5(out)).toEqual([]);
    expect(new Function(`${out}; return lib.f() + ' ' + lib.g(1);`)()).toBe('8 3');
  });

  it('leaves names a catch clause, a parameter or a function expression binds to themselves', () => {
    const code = 'var lib=function(){function n(){}try{n()}catch(n){n.x=1}var t=function n(){return n};return{a:function(t){return t},b:t,c:n}}();';
    expect(laidOut(code)).toBe('function $n(){}try{$n()}catch(n){n.x=1}var $t=function n(){return n};var lib={a:function(t){return t},b:$t,c:$n};');
  });

  it('takes a longer prefix where a name inside already has the short one', () => {
    const code = 'var lib=function(){var n=1;function t(){var $n=2;return n+$n}return{t:t}}();';
    const out = laidOut(code);
    expect(out).toBe('var $$n=1;function $$t(){var $n=2;return $$n+$n}var lib={t:$$t};');
    expect(new Function(`${out}; return lib.t();`)()).toBe(3);
  });

  it('prefixes the declarations hoistVars adds at the top of the wrapper, and not those inside functions', () => {
    const code = 'var lib=function(){function f(){return x}var x=1;function g(){y=2;var y;return y}return{f:f,g:g}}();';
    const hoist = hoistEdits(code);
    expect(hoist.length).toBeGreaterThan(0);
    const out = applyEdits(code, globalLayoutEdits(code, 'lib', hoist));
    expect(out).toMatch(/^var \$x;function \$f\(\)\{return \$x\}/);
    expect(verifyEs5(out)).toEqual([]);
    expect(new Function(`${out}; return lib.f() + lib.g();`)()).toBe(3);
  });

  it('leaves alone code that is not one wrapper, and a wrapper that reads its own this or arguments', () => {
    for (const code of ['var lib={a:1};', 'var lib=function(){return{a:this}}();', 'var lib=function(){return{n:arguments.length}}();',
      'var lib=function(x){return{x:x}}(1);', 'var lib=function(){var a=1;return{a:a}}(),other=2;']) {
      expect(laidOut(code), code).toBe(code);
    }
  });

  it('applies edits at one offset in the order given', () => {
    expect(applyEdits('abcdef', [{ at: 2, cut: 2, text: 'X' }, { at: 2, cut: 0, text: 'Y' }, { at: 0, cut: 1, text: '' }])).toBe('bXYef');
  });
});

describe('a bundle laid out at the top level', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tinyiot-global-layout-'));
    // Eight functions made at load, each used more than once so that the minifier keeps them.
    await writeFile(join(dir, 'main.ts'), `
      const table: Record<string, number> = { a: 1 };
      function helper(n: number) { return n * 2 + (table.a ?? 0); }
      function twice(n: number) { return helper(helper(n)); }
      function add(a: number, b: number) { return a + b + helper(a); }
      function sub(a: number, b: number) { return add(a, -b) - twice(b); }
      export class Box {
        constructor(readonly size: number) {}
        grow() { return new Box(add(helper(this.size), sub(0, 0))); }
        shrink() { return new Box(sub(this.size, twice(0))); }
      }
      export function run(i: number) { return new Box(i).grow().grow().shrink().size + add(twice(i), sub(i, 1)); }`);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('runs as the wrapped one (the default) does on every ES5 engine, and leaves only its globalName and $-names global', async () => {
    const global = await bundleFirmware(join(dir, 'main.ts'), { globalName: 'lib', minify: true, layout: 'global' });
    const wrapped = await bundleFirmware(join(dir, 'main.ts'), { globalName: 'lib', minify: true });
    expect(wrapped.code).toMatch(/^var lib=function\(\)\{/);
    expect(global.code).not.toMatch(/^var lib=function/);
    expect(verifyEs5(global.code)).toEqual([]);
    // What the script declares at its top level, by name.
    const program = parse(global.code, { ecmaVersion: 5 }) as unknown as { body: Node[] };
    const names = program.body.flatMap((n) => n.type === 'FunctionDeclaration' ? [idName(n.id)] :
      n.type === 'VariableDeclaration' ? (n.declarations as Node[]).map((d) => idName(d.id)) : []);
    expect(names.length).toBeGreaterThan(5);
    for (const n of names) expect(n === 'lib' || n!.startsWith('$'), n).toBe(true);
    for (const engine of engines) {
      if (engineMissing(engine)) continue;
      const out = await runInEngine(global.code, { engine, script: 'print(lib.run(1) + " " + typeof i + " " + typeof n);' });
      expect(out.error, engine).toBeUndefined();
      expect(out.output, engine).toBe('151 undefined undefined\n');
    }
  });

  const e = requireEspruino();
  it.skipIf(e.missing)('takes a block less per function on Espruino\'s interpreter, loaded from Storage, and runs the same', async () => {
    const global = await bundleFirmware(join(dir, 'main.ts'), { globalName: 'lib', minify: true, layout: 'global' });
    const wrapped = await bundleFirmware(join(dir, 'main.ts'), { globalName: 'lib', minify: true });
    const load = async (code: string) => {
      // Stored and evaluated from Storage, as a board boots it: the functions' text stays in flash.
      const r = await runInEngine('', { engine: 'espruino', script: `var S = require("Storage"); S.write("b", ${JSON.stringify(code)});
var u = process.memory().usage; eval(S.read("b")); print("BLOCKS " + (process.memory().usage - u) + " " + lib.run(1));` });
      expect(r.error).toBeUndefined();
      const m = /BLOCKS (\d+) (\d+)/.exec(r.output);
      expect(m, r.output).not.toBeNull();
      return { blocks: Number(m![1]), result: m![2] };
    };
    const g = await load(global.code), w = await load(wrapped.code);
    expect(g.result).toBe('151');
    expect(w.result).toBe('151');
    // The eight functions made at load save their scope links (the wrapper's scope itself, one
    // more, is gone too).
    expect(w.blocks - g.blocks).toBeGreaterThanOrEqual(8);
  });
});
