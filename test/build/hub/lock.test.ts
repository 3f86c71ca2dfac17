import { spawn } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { claimDataDir, releaseDataDir } from '../../../build/hub/lock.js';
import { tempDir } from './rig.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const lock = () => `${tmp.dir}/hub.lock`;

it('lets one hub of this process claim a folder at a time, through hub.lock', () => {
  claimDataDir(tmp.dir);
  expect(readFileSync(lock(), 'utf8')).toBe(`${process.pid}\n`);
  expect(() => claimDataDir(tmp.dir)).toThrow(/already running/);
  releaseDataDir(tmp.dir);
  expect(existsSync(lock())).toBe(false);
  claimDataDir(tmp.dir);
  releaseDataDir(tmp.dir);
});

it('respects the lock of a live process, and takes over the lock of a dead one', async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    writeFileSync(lock(), `${child.pid}\n`);
    expect(() => claimDataDir(tmp.dir)).toThrow(/already running/);
  } finally {
    child.kill();
  }
  await new Promise((r) => child.once('exit', r));
  claimDataDir(tmp.dir);
  expect(readFileSync(lock(), 'utf8')).toBe(`${process.pid}\n`);
  releaseDataDir(tmp.dir);
});

it('treats an empty lock as being written, unless it is old', () => {
  writeFileSync(lock(), '');
  expect(() => claimDataDir(tmp.dir)).toThrow(/already running/);
  utimesSync(lock(), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  claimDataDir(tmp.dir);
  releaseDataDir(tmp.dir);
});

it('lets exactly one of several processes started at once claim the folder', async () => {
  const url = new URL('../../../build/hub/lock.ts', import.meta.url).href;
  // Each child claims, says whether it won, and holds the claim until the parent has heard them all.
  const code = `import('${url}').then((m) => { let ok = true; try { m.claimDataDir(${JSON.stringify(tmp.dir)}); } catch { ok = false; }
    process.stdout.write(ok ? 'won' : 'lost'); process.stdin.once('data', () => process.exit(0)); });`;
  const kids = Array.from({ length: 4 }, () => spawn(process.execPath, ['--import', 'tsx', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] }));
  const said = await Promise.all(
    kids.map((k) => new Promise<string>((r) => k.stdout!.once('data', (b: Buffer) => r(b.toString())))),
  );
  for (const k of kids) k.stdin!.end('x');
  await Promise.all(kids.map((k) => new Promise((r) => k.once('exit', r))));
  expect(said.sort()).toEqual(['lost', 'lost', 'lost', 'won']);
});
