// A project made by `tinyiot new` with tinyiot installed as npm installs a package: the tarball of
// `npm pack` (so only the package's `files` are there) unpacked into node_modules/tinyiot, and its
// runtime dependencies beside it, as a hoisted install places them (linked from this checkout's
// node_modules: the tests never reach a registry). The project type-checks against the packed
// sources through the package's exports, and the packed CLI builds it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../cliRun.js';

const dir = mkdtempSync(join(tmpdir(), 'tinyiot-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

describe('a project with tinyiot installed from npm pack', () => {
  it('type-checks and builds for espruino-wifi with the packed package alone', async () => {
    const packed = run('npm', ['pack', '--pack-destination', dir, '--ignore-scripts', '--silent'], ROOT);
    expect(packed.code).toBe(0);
    const tarball = join(dir, packed.out.trim().split('\n').pop()!);
    const p = join(dir, 'thermostat');
    expect((await runCli(['new', p])).code).toBe(0);
    const installed = join(p, 'node_modules', 'tinyiot');
    mkdirSync(installed, { recursive: true });
    expect(run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], p).code).toBe(0);
    expect(existsSync(join(installed, 'test'))).toBe(false);
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const modules = realpathSync(join(ROOT, 'node_modules'));
    for (const d of Object.keys(pkg.dependencies)) symlinkSync(join(modules, d), join(p, 'node_modules', d));

    const tsc = run(process.execPath, [join(p, 'node_modules/typescript/bin/tsc'), '-p', '.'], p);
    expect(tsc.out).toBe('');
    const built = run(process.execPath, [join(installed, 'bin/tinyiot.mjs'), 'build', '.', '--board', 'espruino-wifi'], p);
    expect(built.out).toContain('build: wrote');
    expect(built.code).toBe(0);
    expect(existsSync(join(p, 'out', 'espruino-wifi', 'thermostat.js'))).toBe(true);
  }, 240000);
});
