import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { readJson, secureDataDir, undoNewFiles, writeJson } from '../../../build/hub/files.js';
import { tempDir } from './rig.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

it('reads the fallback for a missing file and names a broken one', () => {
  expect(readJson(`${tmp.dir}/none.json`, { x: 1 })).toEqual({ x: 1 });
  writeFileSync(`${tmp.dir}/bad.json`, 'nope');
  expect(() => readJson(`${tmp.dir}/bad.json`, {})).toThrow(/bad\.json is not valid JSON/);
});

it('writes through a temporary file, creating folders, with the given mode', () => {
  writeJson(`${tmp.dir}/sub/a.json`, { a: [1] }, 0o600);
  writeJson(`${tmp.dir}/sub/a.json`, { a: [2] }, 0o600);
  expect(readJson(`${tmp.dir}/sub/a.json`, null)).toEqual({ a: [2] });
  expect(readdirSync(`${tmp.dir}/sub`)).toEqual(['a.json']);
  expect(statSync(`${tmp.dir}/sub/a.json`).mode & 0o777).toBe(0o600);
});

it('writes owner-only by default, and makes a data folder left open by an older version owner-only', () => {
  const dir = `${tmp.dir}/data`;
  writeJson(`${dir}/twins.json`, {});
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  expect(statSync(`${dir}/twins.json`).mode & 0o777).toBe(0o600);
  chmodSync(dir, 0o755);
  writeFileSync(`${dir}/c2d.json`, '{}', { mode: 0o644 });
  chmodSync(`${dir}/c2d.json`, 0o644);
  mkdirSync(`${dir}/sub`, { mode: 0o755 });
  const outside = `${tmp.dir}/outside.txt`;
  writeFileSync(outside, 'x');
  chmodSync(outside, 0o644);
  symlinkSync(outside, `${dir}/link`);
  secureDataDir(dir);
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  expect(statSync(`${dir}/c2d.json`).mode & 0o777).toBe(0o600);
  // A link is not followed: the hub changes nothing outside its folder.
  expect(statSync(outside).mode & 0o777).toBe(0o644);
});

it('undoes what was added to a folder since, or the folder it made', () => {
  const dir = `${tmp.dir}/undo`;
  const undoFolder = undoNewFiles(dir);
  mkdirSync(dir);
  writeFileSync(`${dir}/keep.json`, '{}');
  const undoFiles = undoNewFiles(dir);
  writeFileSync(`${dir}/ca.pem`, 'new');
  mkdirSync(`${dir}/sub`);
  undoFiles();
  expect(readdirSync(dir)).toEqual(['keep.json']);
  undoFolder();
  expect(existsSync(dir)).toBe(false);
});
