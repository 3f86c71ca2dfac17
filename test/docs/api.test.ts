// docs/api.md's examples are code a user copies: each one is built as a user's own project would
// be (a folder outside this repository with tinyiot in its node_modules, `tinyiot build`, which
// type-checks it, bundles it to ES5 and starts it once over stand-ins of the board), so a guide
// that drifts from the API fails here.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../build/cliRun.js';

const guide = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
// The first block is the app's frame (its imports and main); the others are bodies of main.
const [frame, ...bodies] = blocks;
const imports = (frame ?? '').split('\n').filter((l) => l.startsWith('import ')).join('\n');

const dir = mkdtempSync(join(tmpdir(), 'tinyiot-api-doc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// What the examples read from cfg; the key is a made-up one (the build never connects).
const config = {
  host: '127.0.0.1',
  connectionString: `HostName=example.azure-devices.net;DeviceId=dev1;SharedAccessKey=${Buffer.alloc(32, 7).toString('base64')}`,
  led: 'LED1',
  interval: 30,
};

describe('docs/api.md', () => {
  it('has the app frame and at least one example per part (client, device, HAL)', () => {
    expect(imports).toContain("from 'tinyiot/firmware/mqtt/client'");
    expect(bodies.length).toBeGreaterThanOrEqual(3);
  });

  it.each(bodies.map((body, i) => [i + 1, body] as const))('example %i builds as an app of the user\'s own for espruino-wifi', async (n, body) => {
    const p = join(dir, `example-${n}`);
    const made = await runCli(['new', p]);
    expect(made.code).toBe(0);
    mkdirSync(join(p, 'node_modules'));
    symlinkSync(ROOT, join(p, 'node_modules', 'tinyiot'));
    const indented = body.trimEnd().split('\n').map((l) => '  ' + l).join('\n');
    writeFileSync(join(p, 'src', 'main.ts'), `${imports}\n\nexport function main(hal: Hal, cfg: AppConfig): void {\n${indented}\n}\n`);
    writeFileSync(join(p, 'config.example.json'), JSON.stringify(config));
    const r = await runCli(['build', p, '--board', 'espruino-wifi', '--out', join(dir, 'out')]);
    expect(r.stderr).not.toMatch(/does not type-check|failed/);
    expect(r.code).toBe(0);
  }, 120000);
});
