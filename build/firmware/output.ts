// Writes a build to out/<board>/:
// - <app>.js: the bundle and its boot line. `tinyiot flash` stores it as the Storage file ".bootcde",
//   the file Espruino itself runs at every power-up and after load() (what the IDE's "Save on Send:
//   to flash" writes); it runs from flash, so its function text stays out of RAM. An app file of our
//   own would need a ".boot0" loader to start it, one more file for nothing.
// - <app>.module.js: the same bundle as a module for a program of your own:
//   Modules.addCached("tinyiot-<app>", function () {...}), then
//   require("tinyiot-<app>").run({require: require, getTime: getTime, ...}) (see bootLine).
// - <app>.size.txt: the size report.
// - <app>.entry.ts: a copy of the generated entry the bundle was built from, to read (the build
//   bundles its own temporary copy).
// Each file is written beside its final name and renamed over it, so a reader (or a second build of
// the same app and board) sees the old file or the new one, never half of one.
// The simulator's bundle (hal "emulated") has no boot line and no module form: the host runs it.
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Board } from '../boards.js';
import { bootLine, type EntryOptions } from './entry.js';

export const GLOBAL = 'tinyiot';

export interface Output {
  dir: string;
  script: string;
  module?: string;
  report: string;
  entry?: string;
}

let seq = 0;

/** Writes `text` to `path` through a temp file in the same folder and a rename (atomic on POSIX). */
export async function writeAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++seq}.tmp`);
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** The text of <app>.js: the bundle, then (on a board) the statement that starts it. */
export function bootScript(bundle: string, b: Board, o: EntryOptions = {}): string {
  return b.hal === 'emulated' ? bundle : `${bundle.trimEnd()}\n${bootLine(b, GLOBAL, o)}\n`;
}

export function moduleText(bundle: string, app: string): string {
  return `Modules.addCached(${JSON.stringify(`tinyiot-${app}`)},function(){\n${bundle.trimEnd()}\nexports.run=${GLOBAL}.run;\n});\n`;
}

/** entryOptions: those the bundle was built with (the boot line depends on them). */
export async function writeOutput(
  outDir: string, b: Board, app: string, bundle: string, report: string, entry?: string, entryOptions: EntryOptions = {},
): Promise<Output> {
  const dir = join(outDir, b.id);
  const o: Output = { dir, script: join(dir, `${app}.js`), report: join(dir, `${app}.size.txt`) };
  await writeAtomic(o.script, bootScript(bundle, b, entryOptions));
  if (b.hal !== 'emulated') {
    o.module = join(dir, `${app}.module.js`);
    await writeAtomic(o.module, moduleText(bundle, app));
  }
  await writeAtomic(o.report, report);
  if (entry !== undefined) {
    o.entry = join(dir, `${app}.entry.ts`);
    await writeAtomic(o.entry, entry);
  }
  return o;
}
