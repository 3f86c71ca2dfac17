import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from './cliRun.js';

describe('tinyiot (the binary)', () => {
  it('with no arguments prints the usage on stderr and exits 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tinyiot: missing <command>\n\nusage: tinyiot <command>/);
    expect(r.stderr).toMatch(/^ {2}script +run a scripted MQTT session/m);
  });

  it('--version prints the package version and exits 0', async () => {
    const r = await runCli(['--version']);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect([r.code, r.stdout]).toEqual([0, `tinyiot ${version}\n`]);
  });

  it('with --help prints the usage and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: tinyiot <command>/);
  });

  it('rejects an unknown command on stderr with exit 2', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^tinyiot: unknown command 'frobnicate'/);
  });

  it('script --help prints the script format and exits 0', async () => {
    const r = await runCli(['script', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: tinyiot script <file\.json>/);
    expect(r.stdout).toContain('"op": "publish"');
    expect(r.stderr).toBe('');
  });

  it('script without a file, with two files or with an unknown option exits 2', async () => {
    for (const args of [['script'], ['script', 'a.json', 'b.json'], ['script', '--fast', 'a.json']]) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^tinyiot script: (expected one script file|unknown option '--fast')/);
    }
  });
});
