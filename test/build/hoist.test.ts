// hoist.ts: which names a scope may use before their declaration has run, and the pass that
// declares them first. Espruino is where this matters: there, and only there, the unhoisted code
// reads the outer variable.
import { parse } from 'acorn';
import { describe, expect, it } from 'vitest';
import { runInEngine } from '../../build/es5-engines.js';
import { hoistVars, lateDeclarations, type Node } from '../../build/hoist.js';
import { requireEspruino } from '../support/espruino.js';

const late = (src: string, closures = false) =>
  lateDeclarations(parse(src, { ecmaVersion: 5 }) as unknown as Node, closures).flatMap((s) => s.late.map((l) => `${l.kind} ${l.name} ${l.why}`));

describe('lateDeclarations', () => {
  it('finds a use before the declaration and a declaration that may not have run', () => {
    expect(late('function g() { var r = y; for (var y = 0; y < 1; y++); return r; }')).toEqual(['var y before']);
    expect(late('function f(o) { for (var k in o) {} return k; }')).toEqual(['var k branch']);
    expect(late('function f() { return g(); function g() {} }')).toEqual(['function g before']);
  });

  it('counts uses inside nested functions only when asked, and respects their own names', () => {
    const src = 'function f() { var g = function () { return x; }; g(); var x = 1; }';
    expect(late(src)).toEqual([]);
    expect(late(src, true)).toEqual(['var x before']);
    expect(late('function f() { var g = function (x) { return x; }; var x = 1; }', true)).toEqual([]);
    expect(late('function f() { try { } catch (x) { x; } var x = 1; }')).toEqual([]);
  });

  it('leaves parameters, property names, keys and labels alone', () => {
    expect(late('function f(a) { a = 1; var a; }')).toEqual([]);
    expect(late('function f(o) { o.x = { x: 1 }; var x = 2; return x; }')).toEqual([]);
  });
});

describe('hoistVars', () => {
  it('declares late vars at the top of their function, after a directive prologue, and nothing else', () => {
    expect(hoistVars('function g(){var r=y;for(var y=0;y<1;y++);return r}')).toBe('function g(){var y;var r=y;for(var y=0;y<1;y++);return r}');
    expect(hoistVars('function f(){"use strict";x=1;var x}')).toBe('function f(){"use strict";var x;x=1;var x}');
    expect(hoistVars('x=1;var x;')).toBe('var x;x=1;var x;');
    const fine = 'function f(a){var b=a;for(var i=0;i<b;i++);return i}';
    expect(hoistVars(fine)).toBe(fine);
  });

  it('leaves nothing late behind', () => {
    const src = 'function f(c,o){if(c){var a=1}for(var k in o);var g=function(){return z};g();var z=a+k;switch(c){case 1:var w=2}return w}';
    const out = hoistVars(src);
    expect(late(out, true)).toEqual([]);
    const names = /^function f\(c,o\)\{var ([\w,]+);/.exec(out)![1]!.split(',');
    expect(names.sort()).toEqual(['a', 'k', 'w', 'z']);
  });

  const e = requireEspruino();
  it.skipIf(e.missing)('on Espruino, hoisted code reads its own variable where the original read the outer one', async () => {
    const src = 'var y = 5; function g() { var r = y; for (var y = 0; y < 1; y++); return r; } print(String(g()));';
    const before = await runInEngine('', { engine: 'espruino', script: src });
    const after = await runInEngine('', { engine: 'espruino', script: hoistVars(src) });
    expect([before.output, after.output]).toEqual(['5\n', 'undefined\n']);
  });
});
