import { describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { checkBudget } from '../../../build/firmware/budget.js';
import { sizeReport } from '../../../build/firmware/report.js';

const board = loadBoard('pico-esp8266');
const code = (flashJsVars: number, jsVars: number) => ({ functions: 1, params: 0, names: 0, props: 0, strings: 0, stringChars: 0, pieces: 0, chars: 1, longNameShare: 0, jsVars, flashJsVars });
// What starting created, as blocks: props alone count one block each.
const start = (blocks: number) => ({ functions: 0, props: blocks, elements: 0, strings: 0, stringBytes: 0, buffers: 0, bufferBytes: 0 });
// The pipeline bundles its entry from a temp folder.
const entryPath = '../../tmp/tinyiot-entry-x/app.entry.ts';
const modules = [
  { path: 'firmware/mqtt/session.ts', bytes: 3000 },
  { path: entryPath, bytes: 500 },
  { path: 'firmware/mqtt/codec/decode.ts', bytes: 1500 },
  { path: 'hal/types.ts', bytes: 0 },
];

describe('sizeReport', () => {
  it('lists modules largest first, scaled to the final size, with totals against the budget', () => {
    const budget = checkBudget(board, { bytes: 4000, code: code(50, 700), start: start(100) });
    const text = sizeReport({ app: 'demo', board, modules, budget, loadHeapBytes: 30000, startHeapBytes: 1600, entryPath });
    const rows = text.split('\n');
    expect(rows[0]).toBe('demo for pico-esp8266 (Espruino Pico + ESP8266): within budget');
    const table = rows.slice(2, 7);
    expect(table[0]).toMatch(/^module\s+~bytes\s+share\s+esbuild$/);
    expect(table[1]).toMatch(/^firmware\/mqtt\/session\.ts\s+2400\s+60\.0%\s+3000$/);
    expect(table[2]).toMatch(/^firmware\/mqtt\/codec\/decode\.ts\s+1200\s+30\.0%\s+1500$/);
    expect(table[3]).toMatch(/^\(entry: at-modem glue for pico-esp8266\)\s+400\s+10\.0%\s+500$/);
    expect(table[4]).toMatch(/^total \(minified ES5\)\s+4000\s+100\.0%\s+5000$/);
    expect(text).not.toContain('hal/types.ts');
    expect(text).toContain('bundle   4000 B of 32768 B allowed (12.2%)');
    expect(text).toContain('JsVars   150 of 2550 budget (5.9%; board has 5100 x 13 B): code 50 booted from Storage (~700 if sent to RAM) + objects at start 100');
    expect(text).toContain('heap     QuickJS: 30000 B with the bundle loaded, +1600 B once main() started (JsVars estimated)');
    expect(text).not.toContain('over budget');
  });

  it('says OVER BUDGET, why, and names the biggest modules (the entry by what it is, not its temp path)', () => {
    const budget = checkBudget(board, { bytes: 40000, code: code(1, 1), start: start(0) });
    const text = sizeReport({ app: 'demo', board, modules, budget, loadHeapBytes: 1, startHeapBytes: 0, entryPath });
    expect(text.split('\n')[0]).toMatch(/OVER BUDGET$/);
    expect(text).toContain('over budget: bundle is 40000 bytes, over the 32768-byte limit by 7232');
    expect(text).toContain(
      'largest modules: firmware/mqtt/session.ts (3000 B), firmware/mqtt/codec/decode.ts (1500 B), (entry: at-modem glue for pico-esp8266) (500 B)',
    );
    expect(text).not.toContain('tmp/');
  });

  it("gives the blocks measured on Espruino's interpreter when the check ran there", () => {
    const budget = checkBudget(board, { bytes: 4000, code: code(50, 700), start: start(0), blocks: { load: 300, start: 1100 } });
    const text = sizeReport({ app: 'demo', board, modules, budget, loadHeapBytes: 0, startHeapBytes: 0, entryPath });
    expect(text).toContain('code 300 booted from Storage (~700 if sent to RAM) + objects at start 800');
    expect(text).toContain("heap     measured on Espruino's interpreter: 300 blocks with the bundle loaded from Storage, +800 once main() started");
  });
});
