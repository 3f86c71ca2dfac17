// The hub's data folder holds small JSON files written by more than one process (the CLI adds
// devices while the hub runs), so every write goes to a temp file first and is renamed over the
// old one: a reader sees the old file or the new one, never half of either. The folder holds
// device keys, the service key and the CA's key, so it is its owner's alone: the folder 0700,
// every file 0600, whatever the umask and whatever an older version left.
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export function readJson<T>(path: string, fallback: T): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${path} is not valid JSON; fix or delete it`);
  }
}

export function writeJson(path: string, value: unknown, mode = FILE_MODE): void {
  mkdirSync(dirname(path), { recursive: true, mode: DIR_MODE });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode });
  renameSync(tmp, path);
}

/** Creates the data folder if needed and makes it and every file directly in it owner-only. */
export function secureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  chmodSync(dir, DIR_MODE);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    // lstat: a link is left alone, so the hub never changes the mode of a file outside the folder.
    const st = lstatSync(p);
    if (st.isFile() && (st.mode & 0o777) !== FILE_MODE) chmodSync(p, FILE_MODE);
  }
}

/**
 * What `dir` holds now; the function returned removes whatever was added since (the folder itself
 * when it did not exist), so a hub that fails to start (its port in use) leaves no new CA behind.
 */
export function undoNewFiles(dir: string): () => void {
  const existed = existsSync(dir);
  const before = new Set(existed ? readdirSync(dir) : []);
  return () => {
    if (!existed) return rmSync(dir, { recursive: true, force: true });
    for (const name of readdirSync(dir)) if (!before.has(name)) rmSync(join(dir, name), { recursive: true, force: true });
  };
}
