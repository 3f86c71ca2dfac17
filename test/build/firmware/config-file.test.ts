import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfigFile } from '../../../build/firmware/config-file.js';

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

  it('names the file and never quotes its content', () => {
    const secret = 'SharedAccessKey=c2VjcmV0';
    const bad = file('bad.json', `{"connectionString": "${secret}"`);
    expect(() => readConfigFile(bad)).toThrow(`config ${bad}: not valid JSON`);
    try {
      readConfigFile(bad);
    } catch (e) {
      expect((e as Error).message).not.toContain(secret);
    }
    expect(() => readConfigFile(file('arr.json', '[1]'))).toThrow(/must be a JSON object/);
    expect(() => readConfigFile(join(dir, 'missing.json'))).toThrow(/cannot read \(ENOENT\)/);
  });
});
