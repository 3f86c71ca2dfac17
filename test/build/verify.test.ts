import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { verifyEs5 } from '../../build/verify.js';

const es5 = (src: string) =>
  ts.transpileModule(src, { compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.None } }).outputText;

describe('verifyEs5 syntax', () => {
  it.each([
    ['let', 'let a = 1;'],
    ['const', 'const a = 1;'],
    ['arrow', 'var f = (x) => x;'],
    ['class', 'class A {}'],
    ['template string', 'var s = `x`;'],
    ['for-of', 'for (var x of [1]) {}'],
    ['destructuring', 'var { a } = {};'],
    ['spread', 'f(...[1]);'],
    ['default parameter', 'function f(a = 1) {}'],
    ['exponent', 'var a = 2 ** 3;'],
    ['generator', 'function* g() {}'],
    ['shorthand property', 'var a = 1, o = { a };'],
    ['import', "import x from './x.js';"],
  ])('rejects %s', (_name, src) => {
    const p = verifyEs5(src);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^not ES5 syntax: /);
  });

  it('accepts plain ES5, getters and reserved words as property names included', () => {
    const src = `
      var o = { a: 1, get b() { return 2; }, 'default': 3 };
      function F(x) { this.x = x; }
      F.prototype.m = function () { try { return o.default + this.x; } catch (e) { return e; } };
      var u = new Uint8Array(4); u.set([1], 0); u.subarray(1);
      for (var k in o) { if (!o.hasOwnProperty(k)) continue; }
      Object.keys(o).forEach(function (k) { JSON.stringify(k); });
      switch (u[0]) { case 1: break; default: }`;
    expect(verifyEs5(src)).toEqual([]);
  });

  it("accepts tsc's own ES5 output, helpers and all, but for what bundleFirmware rewrites for Espruino", () => {
    const code = es5(`
      class A { constructor(public n: number) {} get x() { return this.n; } }
      class B extends A { m(...r: number[]) { return { ...r, k: [...r] }; } }
      for (const v of [1, 2]) new B(v).m(v);`);
    expect(code).toContain('__extends');
    expect(code).toContain('__assign');
    // __spreadArray reads Array.prototype.slice and declares `ar` inside a loop inside an if; a
    // class calls its constructor before the function declaration. bundle.test.ts shows the
    // bundle of such code passing.
    const p = verifyEs5(code);
    expect(p.length).toBeGreaterThan(0);
    for (const m of p) expect(m).toMatch(/reads Array\.prototype\.slice|var 'ar' used where its declaration|function 'B' used before its declaration/);
  });
});

describe('verifyEs5 globals and builtins', () => {
  it.each([
    ['Map', 'var m = new Map();', /global Map/],
    ['Set', 'var s = new Set();', /global Set/],
    ['WeakMap', 'new WeakMap();', /global WeakMap/],
    ['Symbol.iterator', 'var i = [][Symbol.iterator];', /global Symbol/],
    ['Promise', 'Promise.resolve(1);', /global Promise/],
    ['Reflect', 'Reflect.ownKeys({});', /global Reflect/],
    ['Proxy', 'new Proxy({}, {});', /global Proxy/],
    ['TextEncoder', 'new TextEncoder();', /global TextEncoder/],
    ['TextDecoder', 'new TextDecoder();', /global TextDecoder/],
    ['Buffer', 'Buffer.from("a");', /global Buffer/],
    ['globalThis', 'globalThis.x = 1;', /global globalThis/],
    ['setTimeout', 'setTimeout(function () {}, 1);', /global setTimeout/],
    ['setInterval', 'setInterval(function () {}, 1);', /global setInterval/],
    ['Array.from', 'Array.from([1]);', /Array\.from/],
    ['Object.assign', 'Object.assign({}, {});', /Object\.assign/],
    ['String.prototype.includes', '"ab".includes("a");', /\.includes\(\)/],
    ['startsWith', 'var s = "ab"; s.startsWith("a");', /\.startsWith\(\)/],
    ['substr (Annex B, missing in mujs)', 'var s = "ab"; s.substr(1);', /\.substr\(\)/],
    ['padStart', 'String(1).padStart(2, "0");', /\.padStart\(\)/],
    ['Array.prototype.find', '[1].find(function (x) { return x; });', /\.find\(\)/],
    ['labelled statement', 'outer: for (;;) { for (;;) { break outer; } }', /labelled statement 'outer:'/],
  ])('rejects %s', (_name, src, msg) => {
    const p = verifyEs5(src);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(msg);
    expect(p[0]).toMatch(/^1:\d+: /);
  });

  it('reports every problem with its line and column', () => {
    expect(verifyEs5('function f() {}\n  new Map();\nsetTimeout(f);')).toEqual([
      '2:7: uses global Map (not available on ES5 boards)',
      '3:1: uses global setTimeout (not available on ES5 boards)',
    ]);
  });

  it('does not count names the code declares itself', () => {
    const src = `
      var Map = function () {};
      new Map();
      function f(Set) { return new Set(); }
      function g() { var Promise = 1; return Promise; }
      function h() { function Symbol() { return 1; } return Symbol(); }
      var k = function Proxy() { return Proxy; };
      try {} catch (Buffer) { Buffer.x; }`;
    expect(verifyEs5(src)).toEqual([]);
  });

  it('counts a global used outside the scope that shadows it', () => {
    const p = verifyEs5('function f(Set) { return Set; }\nnew Set();\ntry {} catch (Map) {}\nMap;');
    expect(p).toEqual([
      '2:5: uses global Set (not available on ES5 boards)',
      '4:1: uses global Map (not available on ES5 boards)',
    ]);
  });

  it('ignores property names and keys that happen to match', () => {
    expect(verifyEs5('var o = { Map: 1, setTimeout: 2 }; o.Map = o.Symbol; o.setTimeout(1);')).toEqual([]);
  });

  it('accepts feature tests: typeof and `x || fallback`', () => {
    const src = `
      var hasSym = typeof Symbol === 'function';
      var assign = Object.assign || function (t) { return t; };
      var setProto = Object.setPrototypeOf || function (d, b) { d.__proto__ = b; };`;
    expect(verifyEs5(src)).toEqual([]);
    expect(verifyEs5('var x = Object.assign && 1;')).toHaveLength(1);
  });

  it('does not flag a method the bundle defines itself', () => {
    expect(verifyEs5('var q = { find: function (x) { return x; } }; q.find(1);')).toEqual([]);
    expect(verifyEs5('function Q() {} Q.prototype.includes = function () {}; new Q().includes(1);')).toEqual([]);
  });

  it('lets allowGlobals through, and only those', () => {
    const src = 'setTimeout(function () {}, 1); new Map();';
    expect(verifyEs5(src, { allowGlobals: ['setTimeout'] })).toEqual(['1:36: uses global Map (not available on ES5 boards)']);
    expect(verifyEs5(src, { allowGlobals: ['setTimeout', 'Map'] })).toEqual([]);
  });
});

// What Espruino's interpreter cannot run although it is ES5 (build/verify-espruino.ts); each kind
// was seen failing on the interpreter itself.
describe('verifyEs5 for Espruino', () => {
  it.each([
    ['{m,n} (never matches)', 'var r = /^\\d{1,15}$/;', '1:9', /\/\^\\d\{1,15\}\$\/ uses \{m,n\}/],
    ['{n}', 'var r = /a{2}/;', '1:9', /uses \{m,n\}/],
    ['(?:', 'var r = /^(?:a|b)$/;', '1:9', /uses \(\?:/],
    ['(?=', 'var r = /a(?=b)/;', '1:9', /uses \(\?=/],
    ['(?!', 'var r = /a(?!b)/;', '1:9', /uses \(\?!/],
    ["unescaped '/' in a class (ends the literal)", 'var r = /^([^/]*)\\/\\?/;', '1:9', /an unescaped '\/' in a character class/],
    ["unescaped '[' in a class (Unfinished character set)", 'var r = /[^:[\\]]+/;', '1:9', /an unescaped '\[' in a character class/],
    ['a backreference', 'var r = /(a)\\1/;', '1:9', /a backreference/],
    ['\\b', 'var r = /\\bx/;', '1:9', /uses \\b/],
    ['a lazy quantifier', 'var r = /a.*?b/;', '1:9', /a lazy quantifier/],
    ['the m flag', 'var r = /^a/m;', '1:9', /flag m/],
    ['a match that can only be empty at the end', 'var r = /=*$/;', '1:9', /can only be empty at the end/],
    ['new RegExp with a literal pattern', 'var r = new RegExp("a{2}", "g");', '1:9', /\/a\{2\}\/g uses \{m,n\}/],
    ['$& in a replacement', 's.replace(/,/g, "\\\\$&");', '1:17', /replace\(\) with '\\\$&'/],
    ['a write to .length', 'var a = [1]; a.length = 0;', '1:14', /writes '\.length'/],
    ['an update of .length', 'var a = [1]; a.length--;', '1:14', /writes '\.length'/],
    ['a built-in method read off its prototype', 'var s = Array.prototype.slice.call(arguments);', '1:9', /reads Array\.prototype\.slice/],
    ['a var used before its declaration (the keepalive bug)', 'var y = 5;\nfunction g() { var r = y; for (var y = 0; y < 1; y++); return r; }', '2:24', /var 'y' used before its declaration/],
    ['a var written before its declaration', 'function f() { x = 2; var x; return x; }', '1:16', /var 'x' used before its declaration/],
    ['a var declared in one case and used after the switch', 'function f(x) { switch (x) { case 1: var w = 4; } return w; }', '1:58', /var 'w' used where its declaration, inside a branch or loop, may not have run/],
    ['a var declared in one branch, used in the other', 'function f(c) { if (c) { var x = 1; } else { x = 2; } }', '1:46', /var 'x' used where/],
    ['a function called before its declaration', 'function f() { return g(); function g() { return 1; } }', '1:23', /function 'g' used before its declaration/],
  ])('reports %s with its position', (_name, src, at, msg) => {
    const p = verifyEs5(src);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(msg);
    expect(p[0]!.startsWith(at + ': ')).toBe(true);
  });

  it("accepts what Espruino's RegExp can do", () => {
    const ok = ['/[^\\0-\\x7f]/', '/^[1-9]\\d\\d$/', '/^\\d+$/', '/[#+]/', '/a\\/b/', '/[\\/\\[]/', '/^[1-9]\\d*$/', '/\\{/', '/{/',
      '/[^\\w.-]|_/', '/^(SharedAccessKeyName|HostName)/', '/[\\s\\S]*/g', '/abc/i', '/[!\'()*]/g', '/\\+CWJAP:(\\d)/'];
    for (const r of ok) expect(verifyEs5(`var r = ${r};`), r).toEqual([]);
    expect(verifyEs5('s.replace(/(a)/, "[$1]");')).toEqual([]);
  });

  it('accepts declarations that run before every use, and uses inside the declaring branch', () => {
    const src = `
      function f(c, o) {
        var a = 1, b = a + 1;
        for (var i = 0; i < 2; i++) b += i;
        if (c) { var x = 1; x++; }
        for (var k in o) k.length;
        try { var t = 1; t++; } catch (e) { e.x; }
        function g() { return z; }
        var z = 2;
        return a + b + i + g();
      }
      function h(p) { p = 2; var p; return p; }`;
    expect(verifyEs5(src)).toEqual([]);
  });

  it('accepts prototype reads Espruino has and writes to prototypes', () => {
    expect(verifyEs5('var h = Object.prototype.hasOwnProperty; var s = Object.prototype.toString; Array.prototype.x = 1; [].slice.call(arguments);')).toEqual([]);
  });
});
