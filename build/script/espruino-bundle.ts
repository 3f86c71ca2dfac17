// The ES5 bundle of espruino-entry.ts, built by the firmware pipeline (build/bundle.ts, minified as
// a board's firmware is) and kept in the temp folder with the hash of every source file it was made
// from: a run of `tinyiot script --engine espruino` rebuilds it only after one of them changed.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAtomic } from '../firmware/output.js';
import { GLOBAL } from './frames.js';

const ENTRY = fileURLToPath(new URL('./espruino-entry.ts', import.meta.url));
/** The pipeline shapes the output as much as the sources do. */
const PIPELINE = fileURLToPath(new URL('../bundle.ts', import.meta.url));

interface Cached {
  /** Absolute path -> sha256 of the file's text when the bundle was made. */
  inputs: Record<string, string>;
  code: string;
}

async function hashOf(path: string): Promise<string | undefined> {
  try {
    return createHash('sha256').update(await readFile(path)).digest('hex');
  } catch {
    return undefined;
  }
}

async function fresh(c: Cached): Promise<boolean> {
  for (const [path, hash] of Object.entries(c.inputs)) if ((await hashOf(path)) !== hash) return false;
  return Object.keys(c.inputs).length > 0;
}

/** The bundle's code; `cacheDir` defaults to a folder in the system's temp folder. */
export async function scriptBundle(cacheDir = join(tmpdir(), 'tinyiot-script-espruino')): Promise<string> {
  const file = join(cacheDir, 'bundle.json');
  try {
    const c = JSON.parse(await readFile(file, 'utf8')) as Cached;
    if (await fresh(c)) return c.code;
  } catch {
    // none yet, or unreadable: build it
  }
  // Loaded only on a rebuild: it pulls in TypeScript, esbuild and terser.
  const { bundleFirmware } = await import('../bundle.js');
  const r = await bundleFirmware(ENTRY, { globalName: GLOBAL, minify: true });
  const inputs: Record<string, string> = {};
  for (const path of [PIPELINE, ...r.modules.map((m) => resolve(m.path))]) inputs[path] = (await hashOf(path)) ?? '';
  await writeAtomic(file, JSON.stringify({ inputs, code: r.code } satisfies Cached));
  return r.code;
}
