import { describe, expect, it } from 'vitest';
import { QjsHost } from '../../../build/firmware/qjs-host.js';

describe('QjsHost', () => {
  it('passes strings with NUL and bytes 128-255 both ways, and numbers, booleans, null', async () => {
    const h = await QjsHost.create();
    const seen: unknown[][] = [];
    h.expose('__f', (...a: unknown[]) => {
      seen.push(a);
      return 'x\0y\xff';
    });
    h.eval('var r = __f("a\\u0000b\\u00ff", 3, true, null); __f(r.length, r.charCodeAt(1), r.charCodeAt(3));');
    h.eval('function g(s, n) { __f(s.length, s.charCodeAt(0), s.charCodeAt(2), n); }');
    h.call('g', '\0\x01\xfe', 7);
    expect(seen).toEqual([['a\0b\xff', 3, true, null], [4, 0, 255], [3, 0, 254, 7]]);
    h.dispose();
  });

  it('throws eval errors, and reports errors of calls to onError instead of throwing', async () => {
    const errors: string[] = [];
    const h = await QjsHost.create({ onError: (m) => errors.push(m) });
    expect(() => h.eval('nope(')).toThrow(/SyntaxError/);
    h.eval('function bad() { throw new Error("inside"); }');
    h.call('bad');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Error: inside/);
    h.dispose();
  });

  it('interrupts an endless loop after sliceMs', async () => {
    const h = await QjsHost.create({ sliceMs: 200 });
    expect(() => h.eval('for (;;) {}')).toThrow(/interrupted/);
    h.dispose();
  });

  it('caps heap growth over markBase() and refuses to run once over', async () => {
    const errors: string[] = [];
    const h = await QjsHost.create({ heapBytes: 50_000, onError: (m) => errors.push(m) });
    h.eval('var keep = [];');
    h.markBase();
    h.eval('function grow(n) { for (var i = 0; i < n; i++) keep.push({ i: i, s: "item" + i }); }');
    h.call('grow', 100);
    expect(errors).toEqual([]);
    expect(h.peak - h.base).toBeGreaterThan(0);
    h.call('grow', 20000);
    expect(errors.join('\n')).toMatch(/heap cap of 50000 bytes exceeded/);
    expect(h.overCap).toBe(true);
    expect(() => h.eval('1')).toThrow(/heap cap exceeded/);
    h.dispose();
  });
});
