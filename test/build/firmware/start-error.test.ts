import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { bundleFirmware } from '../../../build/bundle.js';
import { startErrorInSource } from '../../../build/firmware/start-error.js';
import { halStub } from '../../../build/firmware/stub-env.js';

const dir = mkdtempSync(join(tmpdir(), 'tinyiot-start-error-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startErrorInSource', () => {
  it('maps QuickJS frames past the prelude to the source and drops frames of files that are gone', async () => {
    const entry = join(dir, 'app.ts');
    writeFileSync(entry, 'export function run(n: number): number {\n  if (n) throw new Error("no sensor");\n  return n;\n}\n');
    const b = await bundleFirmware(entry, { globalName: 'tinyiot', minify: true, sourceMap: true });
    const before = b.code.slice(0, b.code.indexOf('"no sensor"')).split('\n');
    const preludeLines = halStub({}).split('\n').length - 1;
    const frame = `bundle.js:${before.length + preludeLines}:${before[before.length - 1]!.length + 1}`;
    const error = `main() did not start: Error: no sensor\n    at run (${frame})\n    at start (/tmp/tinyiot-entry-gone/x.entry.ts:3:1)\n    at <eval> (bundle.js:999:1)`;
    const text = await startErrorInSource(
      { ok: false, error, engine: 'quickjs', output: '', loadBytes: 0, startBytes: 0 },
      { code: b.code, map: b.map!, boot: '', board: loadBoard('emulator'), cfg: {} },
    );
    expect(text.split('\n')).toEqual(['main() did not start: Error: no sensor', expect.stringMatching(/^ {4}at run \(.*app\.ts:2:\d+\)$/)]);
  });
});
