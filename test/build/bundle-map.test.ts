import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mapStack, originalPosition } from '../../build/bundle-map.js';
import { bundleFirmware } from '../../build/bundle.js';

const dir = mkdtempSync(join(tmpdir(), 'tinyiot-bundle-map-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 1-based line and column of the first `needle` in `code`. */
function at(code: string, needle: string): [number, number] {
  const before = code.slice(0, code.indexOf(needle)).split('\n');
  return [before.length, before[before.length - 1]!.length + 1];
}

describe('bundle source maps', () => {
  it.for(['wrapped', 'global'] as const)('maps a position in the minified, hoisted bundle (%s layout) back to the TypeScript line it came from', async (layout) => {
    const lib = join(dir, 'lib.ts');
    const entry = join(dir, 'entry.ts');
    writeFileSync(lib, 'export class Counter {\n  n = 0;\n  bump(): number {\n    if (this.n > 2) throw new Error("too many");\n    return ++this.n;\n  }\n}\n');
    writeFileSync(entry, 'import { Counter } from "./lib";\n\nexport function run(): number {\n  const c = new Counter();\n  return c.bump() + c.bump();\n}\n');
    const b = await bundleFirmware(entry, { globalName: 'tinyiot', minify: true, sourceMap: true, layout });
    expect(b.map).toBeDefined();
    const [line, column] = at(b.code, '"too many"');
    const o = originalPosition(b.code, b.map!, line, column);
    expect(o).toMatchObject({ file: lib, line: 4 });
    // Past the prefixes and the wrapper taken out, a position still lands on its own line.
    const [runLine, runColumn] = at(b.code, 'bump()+');
    expect(originalPosition(b.code, b.map!, runLine, runColumn)).toMatchObject({ file: entry, line: 5 });
    expect(mapStack(`Error: too many\n    at bump (bundle.js:${line + 2}:${column})`, b.code, b.map!, ['bundle.js'], 2)).toMatch(/at bump \(.*lib\.ts:4:\d+\)/);
  });

  it('makes no map unless asked, and the code is the same either way', async () => {
    const entry = join(dir, 'plain.ts');
    writeFileSync(entry, 'export function run(a: number[]): number[] { return Array.prototype.slice.call(a, 1); }\n');
    const plain = await bundleFirmware(entry, { globalName: 'tinyiot', minify: true });
    const mapped = await bundleFirmware(entry, { globalName: 'tinyiot', minify: true, sourceMap: true });
    expect(plain.map).toBeUndefined();
    expect(mapped.code).toBe(plain.code);
  });
});
