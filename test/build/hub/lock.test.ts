import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { claimDataDir, releaseDataDir } from '../../../build/hub/lock.js';
import { tempDir } from './rig.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

it('lets one hub of this process claim a folder at a time', () => {
  claimDataDir(tmp.dir);
  expect(() => claimDataDir(tmp.dir)).toThrow(/already running/);
  releaseDataDir(tmp.dir);
  claimDataDir(tmp.dir);
  releaseDataDir(tmp.dir);
});

it('respects a live hub of another process, and ignores a dead one', async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    writeFileSync(`${tmp.dir}/hub.json`, JSON.stringify({ pid: child.pid }));
    expect(() => claimDataDir(tmp.dir)).toThrow(/already running/);
  } finally {
    child.kill();
  }
  await new Promise((r) => child.once('exit', r));
  claimDataDir(tmp.dir);
  releaseDataDir(tmp.dir);
});
