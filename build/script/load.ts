// Reads a script file and the PEM files it names (paths relative to the script), so that every
// problem with the files shows up before a socket is opened.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ScriptError, parseScript, type Script } from './parse.js';

export interface Loaded {
  script: Script;
  pem: { ca?: string; cert?: string; key?: string };
}

async function text(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new ScriptError(`cannot read ${what} '${path}': ${why}`);
  }
}

export async function loadScript(file: string): Promise<Loaded> {
  const script = parseScript(await text(file, 'script'));
  const dir = dirname(resolve(file));
  const pem: Loaded['pem'] = {};
  for (const k of ['ca', 'cert', 'key'] as const) {
    const p = script[k];
    // The key's text is never echoed anywhere; only its path appears in messages.
    if (p !== undefined) pem[k] = await text(resolve(dir, p), `'${k}' file`);
  }
  if (pem.ca !== undefined && !pem.ca.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ScriptError(`'ca' file '${resolve(dir, script.ca!)}' holds no PEM certificate`);
  }
  return { script, pem };
}
