import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScript } from '../../../build/script/load.js';
import { ScriptError } from '../../../build/script/parse.js';

let dir: string;
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const steps = [{ op: 'connect', clientId: 'c', clean: true }];

async function script(name: string, body: unknown): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, typeof body === 'string' ? body : JSON.stringify(body));
  return p;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tinyiot-load-'));
  await mkdir(join(dir, 'certs'));
  await writeFile(join(dir, 'certs', 'ca.pem'), PEM);
  await writeFile(join(dir, 'certs', 'not.pem'), 'hello');
});

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadScript', () => {
  it('reads PEM files relative to the script file, not the working directory', async () => {
    const p = await script('s.json', { host: 'h', port: 8883, ca: 'certs/ca.pem', steps });
    const l = await loadScript(p);
    expect(l.pem).toEqual({ ca: PEM });
    expect(l.script.steps).toHaveLength(1);
  });

  it('reads no PEM when the script names none', async () => {
    const l = await loadScript(await script('plain.json', { host: 'h', port: 1883, tls: false, steps }));
    expect(l.pem).toEqual({});
  });

  it('rejects a missing script, a missing CA and a CA without a certificate', async () => {
    await expect(loadScript(join(dir, 'nope.json'))).rejects.toThrow(/^cannot read script '.*nope\.json': no such file$/);
    await expect(loadScript(dir)).rejects.toThrow(/is a directory$/);
    const missing = await script('m.json', { host: 'h', port: 1, ca: 'certs/missing.pem', steps });
    await expect(loadScript(missing)).rejects.toThrow(/^cannot read 'ca' file '.*certs\/missing\.pem': no such file$/);
    const junk = await script('j.json', { host: 'h', port: 1, ca: 'certs/not.pem', steps });
    await expect(loadScript(junk)).rejects.toThrow(/holds no PEM certificate/);
  });

  it('reports a malformed script as a ScriptError', async () => {
    const p = await script('bad.json', '{"host": "h", "port": 1, "steps": [{"op": "jump"}]}');
    const err = await loadScript(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScriptError);
    expect((err as Error).message).toMatch(/^step 1: unknown op 'jump'/);
  });
});
