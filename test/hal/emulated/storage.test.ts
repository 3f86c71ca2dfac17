import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fileStorage, keyToFile, memoryStorage } from '../../../hal/emulated/storage.js';
import type { Storage } from '../../../hal/types.js';

// node:fs as it is, with writeFileSync and renameSync wrapped so that a test can cut the power
// in the middle of one write (a crash is simulated; no process is killed).
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return { ...real, writeFileSync: vi.fn(real.writeFileSync), renameSync: vi.fn(real.renameSync) };
});

const allBytes = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tinyiot-storage-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const kinds: [string, () => Storage][] = [
  ['memoryStorage', () => memoryStorage()],
  ['fileStorage', () => fileStorage(tempDir())],
];

describe.each(kinds)('%s', (_name, make) => {
  it('reads what was written, undefined for a missing key, nothing after erase', () => {
    const s = make();
    expect(s.read('q')).toBeUndefined();
    s.write('q', 'one');
    s.write('q', 'two');
    expect(s.read('q')).toBe('two');
    s.write('empty', '');
    expect(s.read('empty')).toBe('');
    s.erase('q');
    s.erase('never-written');
    expect(s.read('q')).toBeUndefined();
  });

  it('round-trips every byte value', () => {
    const s = make();
    s.write('bin', allBytes + allBytes);
    expect(s.read('bin')).toBe(allBytes + allBytes);
  });

  it('refuses chars above 255 and bad keys', () => {
    const s = make();
    expect(() => s.write('k', 'é€')).toThrow(/byte string/);
    expect(() => s.write('', 'v')).toThrow(/key/);
    expect(() => s.read(undefined as unknown as string)).toThrow(/key/);
  });
});

describe('fileStorage', () => {
  it('keeps values across a reload of the same directory', () => {
    const dir = tempDir();
    const a = fileStorage(dir);
    a.write('session', allBytes);
    a.write('Session', 'other');
    a.write('gone', 'x');
    a.erase('gone');
    const b = fileStorage(dir);
    expect(b.read('session')).toBe(allBytes);
    expect(b.read('Session')).toBe('other');
    expect(b.read('gone')).toBeUndefined();
  });

  it('keeps every key inside its directory and leaves no temp files', () => {
    const root = tempDir();
    const dir = join(root, 'store');
    const s = fileStorage(dir);
    for (const k of ['../escape', '/etc/passwd', '..', '.', 'a/b\\c', 'x.tmp', 'ключ']) s.write(k, `v:${k.length}`);
    expect(readdirSync(root)).toEqual(['store']);
    const files = readdirSync(dir);
    expect(files).toHaveLength(7);
    expect(files.every((f) => !f.includes('.') && !f.includes('/') && !f.includes('\\'))).toBe(true);
    expect(fileStorage(dir).read('../escape')).toBe('v:9');
    expect(s.read('ключ')).toBe('v:4');
    expect(s.read('..')).toBe('v:2');
  });

  it('encodes keys without letter-case collisions', () => {
    expect(keyToFile('abc-_9')).toBe('abc-_9');
    expect(keyToFile('A')).toBe('%41');
    expect(keyToFile('a.b')).toBe('a%2Eb');
    expect(keyToFile('é')).toBe('%C3%A9');
  });

  it('keeps the old value whole when the power goes half-way through writing the new one', async () => {
    const real = await vi.importActual<typeof import('node:fs')>('node:fs');
    const dir = tempDir();
    const s = fileStorage(dir);
    s.write('session', 'old'.repeat(1000));
    vi.mocked(fs.writeFileSync).mockImplementationOnce((file, data) => {
      real.writeFileSync(file as string, (data as Buffer).subarray(0, 1500));
      throw new Error('power cut');
    });
    expect(() => s.write('session', 'new'.repeat(1000))).toThrow('power cut');
    // The board boots again: the value is the old one, whole, and the store takes writes.
    const after = fileStorage(dir);
    expect(after.read('session')).toBe('old'.repeat(1000));
    after.write('session', 'new');
    expect(after.read('session')).toBe('new');
  });

  it('keeps the old value when the power goes between writing the new one and putting it in place', () => {
    const dir = tempDir();
    const s = fileStorage(dir);
    s.write('session', 'old');
    vi.mocked(fs.renameSync).mockImplementationOnce(() => {
      throw new Error('power cut');
    });
    expect(() => s.write('session', 'new')).toThrow('power cut');
    expect(fileStorage(dir).read('session')).toBe('old');
  });

  it('refuses a key too long for a file name', () => {
    expect(() => fileStorage(tempDir()).write('K'.repeat(100), 'v')).toThrow(/too long/);
  });
});

describe('memoryStorage', () => {
  it('lists its keys', () => {
    const s = memoryStorage();
    s.write('a', '1');
    s.write('b', '2');
    s.erase('a');
    expect(s.keys()).toEqual(['b']);
  });
});
