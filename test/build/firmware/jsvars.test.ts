import { describe, expect, it } from 'vitest';
import { blockLayout, CLOSURE_BLOCKS, codeJsVars, FUNCTION_BLOCKS, nameExtra, startJsVars, stringBlocks } from '../../../build/firmware/jsvars.js';

const none = { functions: 0, props: 0, elements: 0, strings: 0, stringBytes: 0, buffers: 0, bufferBytes: 0 };

describe('blockLayout', () => {
  it('follows Espruino\'s block layout: 16-byte and 12-byte blocks, and the Linux build\'s measured 27-byte ones', () => {
    expect(blockLayout(16, 65535)).toEqual({ first: 10, ext: 12, name: 4 });
    expect(blockLayout(12, 1000)).toEqual({ first: 7, ext: 8, name: 4 });
    expect(blockLayout(27)).toEqual({ first: 20, ext: 21, name: 8 });
    expect(() => blockLayout(0)).toThrow(/blockSize/);
  });

  it('strings in pieces, long names with extra pieces', () => {
    const l = blockLayout(16, 65535);
    expect([stringBlocks(0, l), stringBlocks(10, l), stringBlocks(11, l), stringBlocks(22, l), stringBlocks(23, l)]).toEqual([1, 1, 2, 2, 3]);
    expect([nameExtra(4, l), nameExtra(5, l), nameExtra(16, l), nameExtra(17, l)]).toEqual([0, 1, 1, 2]);
  });
});

describe('codeJsVars', () => {
  it('counts what the top level creates: each function, parameter, declared name, property and string piece; run-once wrappers run, not kept', () => {
    const code = 'var x=function(){var f=function(a){return a},o={k:1,longername:"abc"},s="0123456789abcdefghij";return f}();';
    const r = codeJsVars(code, 16);
    expect(r).toMatchObject({ functions: 1, unscoped: 0, params: 1, names: 4, props: 2, strings: 2, stringChars: 23 });
    // "longername" (10 characters) needs one extra piece beyond a name's 4; "abc" is one block,
    // the 20-character string two.
    expect(r.pieces).toBe(1 + 1 + 2);
    expect(r.flashJsVars).toBe(FUNCTION_BLOCKS + 1 + 4 + 2 + 4);
  });

  it('counts functions a nested function makes only when it runs, and their text for code sent to RAM', () => {
    const code = 'function outer(){return function(b){return b+1}}';
    const r = codeJsVars(code, 16);
    expect(r.functions).toBe(1);
    expect(r.chars).toBe(code.length - 'function outer()'.length + '{return b+1}'.length);
    // Made by the script's own top level: no scope to link (the global layout), a block less.
    expect(r.unscoped).toBe(1);
    expect(r.flashJsVars).toBe(FUNCTION_BLOCKS - 1 + 1);
    expect(r.jsVars).toBeGreaterThan(r.flashJsVars);
  });

  it('takes more blocks for the same strings on smaller blocks, and rejects non-ES5 code', () => {
    const code = 'var s="a string of forty characters......",t="and another one of about the same size";';
    expect(codeJsVars(code, 12, 1000).flashJsVars).toBeGreaterThan(codeJsVars(code, 27).flashJsVars);
    expect(() => codeJsVars('let x = () => 1', 12)).toThrow();
    expect(() => codeJsVars('1', 0)).toThrow(/blockSize/);
  });

  it('measures the share of long property names the code stores', () => {
    expect(codeJsVars('var o={a:1,b:2};o.c=3;o.dd=4;', 16).longNameShare).toBe(0);
    expect(codeJsVars('var o={abcdef:1,b:2};o.c=3;o.dd=4;', 16).longNameShare).toBe(0.25);
  });
});

describe('startJsVars', () => {
  it('is CLOSURE_BLOCKS per function, one block per property and element, and strings and buffers in pieces', () => {
    expect(startJsVars(none, 16, 0)).toBe(0);
    expect(startJsVars({ ...none, functions: 10 }, 16, 0)).toBe(Math.ceil(10 * CLOSURE_BLOCKS));
    expect(startJsVars({ ...none, props: 7, elements: 3 }, 16, 0)).toBe(10);
    expect(startJsVars({ ...none, strings: 2, stringBytes: 24 }, 16, 0)).toBe(2 + 2);
    expect(startJsVars({ ...none, buffers: 1, bufferBytes: 32 }, 16, 0)).toBe(2 + 2);
    expect(startJsVars({ ...none, props: 100 }, 16, 0.25)).toBe(125);
    expect(startJsVars({ ...none, strings: 1, stringBytes: 120 }, 12, 0, 1000)).toBeGreaterThan(startJsVars({ ...none, strings: 1, stringBytes: 120 }, 27, 0));
  });
});
