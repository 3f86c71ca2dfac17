import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfigFile, readFlagFile } from '../../../build/firmware/config-file.js';
import { UsageError } from '../../../build/usage-error.js';

const dir = mkdtempSync(join(tmpdir(), 'tinyiot-cfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('readConfigFile', () => {
  it('reads a JSON object', () => {
    expect(readConfigFile(file('ok.json', '{"host":"h","port":1}'))).toEqual({ host: 'h', port: 1 });
  });

  it('names the flag and the file and never quotes its content', () => {
    const secret = 'SharedAccessKey=c2VjcmV0';
    const bad = file('bad.json', `{"connectionString": "${secret}"`);
    expect(() => readConfigFile(bad)).toThrow(`--config ${bad}: not valid JSON`);
    try {
      readConfigFile(bad);
    } catch (e) {
      expect((e as Error).message).not.toContain(secret);
    }
    expect(() => readConfigFile(file('arr.json', '[1]'))).toThrow(/must be a JSON object/);
    expect(() => readConfigFile(join(dir, 'missing.json'))).toThrow(`--config ${join(dir, 'missing.json')}: cannot read (no such file)`);
  });

  it('says each mistake as a usage mistake', () => {
    expect(() => readConfigFile(file('arr2.json', '[1]'))).toThrow(UsageError);
  });
});

describe('readFlagFile', () => {
  it('reads the text, or names the flag and the path', () => {
    expect(readFlagFile('--ca', file('ca.pem', 'PEM'))).toBe('PEM');
    expect(() => readFlagFile('--ca', '/nonexistent.pem')).toThrow(new UsageError('--ca /nonexistent.pem: cannot read (no such file)'));
    expect(() => readFlagFile('--ca', dir)).toThrow(`--ca ${dir}: cannot read (is a folder)`);
  });
});
