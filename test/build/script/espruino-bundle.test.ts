import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scriptBundle } from '../../../build/script/espruino-bundle.js';
import { verifyEs5 } from '../../../build/verify.js';

const dir = mkdtempSync(join(tmpdir(), 'tinyiot-script-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scriptBundle', () => {
  it('builds plain ES5 that defines tinyiotScript, keeps it with its inputs, and rebuilds only when one changed', async () => {
    const code = await scriptBundle(dir);
    expect(verifyEs5(code)).toEqual([]);
    expect(code).toMatch(/^var tinyiotScript=/);
    const file = join(dir, 'bundle.json');
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { inputs: Record<string, string>; code: string };
    const inputs = Object.keys(cached.inputs);
    expect(inputs.some((p) => p.endsWith('build/script/player.ts'))).toBe(true);
    expect(inputs.some((p) => p.endsWith('firmware/mqtt/client.ts'))).toBe(true);
    expect(inputs.some((p) => p.endsWith('build/bundle.ts'))).toBe(true);

    // Same inputs: what is kept is used as it is (a marked copy shows it was not rebuilt).
    writeFileSync(file, JSON.stringify({ ...cached, code: 'kept' }));
    expect(await scriptBundle(dir)).toBe('kept');

    // One input seen as changed: built again.
    const player = inputs.find((p) => p.endsWith('build/script/player.ts'))!;
    writeFileSync(file, JSON.stringify({ inputs: { ...cached.inputs, [player]: 'old' }, code: 'kept' }));
    expect(await scriptBundle(dir)).toBe(code);
  });
});
