import { describe, expect, it } from 'vitest';
import { codeJsVars, runtimeJsVars } from '../../../build/firmware/jsvars.js';

describe('codeJsVars', () => {
  it('counts each kept function: 5 JsVars, 1 per parameter, its body in blockSize chunks; run-once wrappers are free', () => {
    const code = 'var x=function(){var f=function(a){return a};return f}();';
    const r = codeJsVars(code, 13);
    expect(r.functions).toBe(1);
    expect(r.chars).toBe('{return a}'.length);
    expect(r.jsVars).toBe(5 + 1 + Math.ceil(10 / 13));
    expect(r.flashJsVars).toBe(6);
  });

  it('counts nested text again in the parent', () => {
    const code = 'function outer(){return function(b){return b+1}}';
    const r = codeJsVars(code, 16);
    const outerLen = code.length - 'function outer()'.length;
    const innerLen = '{return b+1}'.length;
    expect(r.functions).toBe(2);
    expect(r.chars).toBe(outerLen + innerLen);
    expect(r.jsVars).toBe(5 + 6 + Math.ceil(outerLen / 16) + Math.ceil(innerLen / 16));
  });

  it('uses fewer JsVars for the same code on bigger blocks, and rejects non-ES5 code', () => {
    const code = 'function a(x,y){return x*y+Math.max(x,y)}function b(){return a(1,2)}';
    expect(codeJsVars(code, 16).jsVars).toBeLessThan(codeJsVars(code, 12).jsVars);
    expect(() => codeJsVars('let x = () => 1', 12)).toThrow();
    expect(() => codeJsVars('1', 0)).toThrow(/blockSize/);
  });
});

describe('runtimeJsVars', () => {
  it('is heap bytes / 16, rounded up, never negative', () => {
    expect(runtimeJsVars(0)).toBe(0);
    expect(runtimeJsVars(17)).toBe(2);
    expect(runtimeJsVars(-5)).toBe(0);
  });
});
