import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { checkBudget } from '../../../build/firmware/budget.js';

const code = (flashJsVars: number) => ({ functions: 1, params: 0, names: 0, props: 0, strings: 0, stringChars: 0, pieces: 0, chars: 1, longNameShare: 0, jsVars: flashJsVars * 3, flashJsVars });
// What starting created in QuickJS, as a number of blocks: properties alone count one block each.
const start = (blocks: number) => ({ functions: 0, props: blocks, elements: 0, strings: 0, stringBytes: 0, buffers: 0, bufferBytes: 0 });

describe('checkBudget', () => {
  const b = loadBoard('espruino-wifi'); // 7148 JsVars x 0.5 = 3574; 46080 bytes

  it('passes within both limits and adds code and start-up objects', () => {
    const r = checkBudget(b, { bytes: 20000, code: code(800), start: start(1000) });
    expect(r).toMatchObject({ ok: true, maxBytes: 46080, maxJsVars: 3574, codeJsVars: 800, ramCodeJsVars: 2400, runtimeJsVars: 1000, jsVars: 1800, over: [] });
  });

  it('fails on bytes, on JsVars, or both, saying by how much', () => {
    const bytes = checkBudget(b, { bytes: 46081, code: code(1), start: start(0) });
    expect(bytes.ok).toBe(false);
    expect(bytes.over).toEqual(['bundle is 46081 bytes, over the 46080-byte limit by 1']);
    const vars = checkBudget(b, { bytes: 1, code: code(3000), start: start(600) });
    expect(vars.over).toEqual(['estimated 3600 JsVars, over the budget of 3574 (50% of 7148) by 26']);
    expect(checkBudget(b, { bytes: 50000, code: code(4000), start: start(0) }).over).toHaveLength(2);
  });

  it("takes the blocks measured on Espruino's interpreter over the estimates when it has them", () => {
    const r = checkBudget(b, { bytes: 1, code: code(3000), start: start(600), blocks: { load: 500, start: 3700 } });
    expect(r).toMatchObject({ measured: true, codeJsVars: 500, runtimeJsVars: 3200, jsVars: 3700, ramCodeJsVars: 9000 });
    expect(r.over).toEqual(['measured 3700 JsVars, over the budget of 3574 (50% of 7148) by 126']);
    expect(checkBudget(b, { bytes: 1, code: code(1), start: start(0) }).measured).toBe(false);
  });

  it('takes a byte limit override', () => {
    expect(checkBudget(b, { bytes: 2000, code: code(1), start: start(0), maxBytes: 1000 }).over[0]).toMatch(/over the 1000-byte limit by 1000/);
  });

  it('takes a JsVar budget override, in place of the share of the board', () => {
    const r = checkBudget(b, { bytes: 1, code: code(500), start: start(0), blocks: { load: 500, start: 1200 }, maxJsVars: 1000 });
    expect(r).toMatchObject({ ok: false, maxJsVars: 1000, jsVars: 1200 });
    expect(r.over).toEqual(['measured 1200 JsVars, over the budget of 1000 by 200']);
    expect(checkBudget(b, { bytes: 1, code: code(500), start: start(0), maxJsVars: 5000 })).toMatchObject({ ok: true, maxJsVars: 5000 });
  });
});
