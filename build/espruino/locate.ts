// Finds Espruino's own interpreter built for Linux, the reference engine firmware must run on.
// Order: TINYIOT_ESPRUINO, then ../shared/espruino/espruino beside this checkout (where the project's
// development machines keep one), then `espruino` on the PATH. The npm package `espruino` installs a
// Node script of the same name (EspruinoTools, the uploader); only a native executable counts.
import { accessSync, constants, openSync, readSync, closeSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** How a user gets an interpreter when none is found. */
export const HOW_TO_GET =
  'build it from the public espruino/Espruino repository with `make RELEASE=1` (BOARD=LINUX is the default) ' +
  'and set TINYIOT_ESPRUINO to bin/espruino (see docs/espruino.md)';

/** True for an executable ELF file (not a script wrapper such as EspruinoTools' CLI). */
export function isNativeExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    const fd = openSync(path, 'r');
    try {
      const head = Buffer.alloc(4);
      readSync(fd, head, 0, 4, 0);
      return head[0] === 0x7f && head.toString('latin1', 1, 4) === 'ELF';
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

export interface Located {
  path: string;
  /** Where it was found: 'TINYIOT_ESPRUINO', 'beside the checkout' or 'PATH'. */
  from: string;
}

/** The interpreter, or undefined; a TINYIOT_ESPRUINO that is set but unusable is an error. */
export function locateEspruino(env: NodeJS.ProcessEnv = process.env): Located | undefined {
  const set = env.TINYIOT_ESPRUINO;
  if (set) {
    const p = resolve(set);
    if (!isNativeExecutable(p)) throw new Error(`TINYIOT_ESPRUINO=${set}: not an executable Espruino interpreter`);
    return { path: p, from: 'TINYIOT_ESPRUINO' };
  }
  const beside = resolve(repo, '..', 'shared', 'espruino', 'espruino');
  if (isNativeExecutable(beside)) return { path: beside, from: 'beside the checkout' };
  for (const d of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const p = join(d, 'espruino');
    if (isNativeExecutable(p)) return { path: p, from: 'PATH' };
  }
  return undefined;
}
