// The `espruino` engine of build/es5-engines.ts: output framing, errors with their stack, and the
// heap in blocks (test/build/es5-engines.test.ts runs the behaviour every engine shares).
import { describe, expect, it } from 'vitest';
import { runEspruinoEngine } from '../../../build/espruino/engine.js';
import { runInEngine } from '../../../build/es5-engines.js';
import { requireEspruino } from '../../support/espruino.js';

const e = requireEspruino();

describe.skipIf(e.missing)('the espruino engine', () => {
  it("reports a peak in blocks that grows with what the script keeps, and no bytes (a block's size differs on boards)", async () => {
    const small = await runEspruinoEngine('var x = 1; sampleHeap(); print(x);', 20000);
    const big = await runEspruinoEngine('var keep = []; for (var i = 0; i < 500; i++) { keep.push({ i: i }); } sampleHeap(); print(keep.length);', 20000);
    expect([small.output, big.output]).toEqual(['1\n', '500\n']);
    expect(small.peakBlocks).toBeGreaterThanOrEqual(0);
    expect(big.peakBlocks).toBeGreaterThan(500 * 2);
    const r = await runInEngine('', { engine: 'espruino', script: 'print(1);' });
    expect(r.peakBytes).toBeUndefined();
    expect(r.peakBlocks).toBeGreaterThanOrEqual(0);
  });

  it('gives an uncaught error with its stack, without caret lines, after what was printed', async () => {
    const r = await runEspruinoEngine('print("a");\nfunction f() { throw new Error("boom"); }\nf();', 20000);
    expect(r.ok).toBe(false);
    expect(r.output).toBe('a\n');
    expect(r.error).toMatch(/^Error: boom\n\s+at f \(es5-run:2:/);
    expect(r.error).not.toMatch(/^\s*\^\s*$/m);
  });

  it('cannot cap the heap', async () => {
    await expect(runInEngine('', { engine: 'espruino', script: '', heapBytes: 1000 })).rejects.toThrow(/espruino cannot cap/);
  });
});
