import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { readJson, writeJson } from '../../../build/hub/files.js';
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
