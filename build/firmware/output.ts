// Writes a build to out/<board>/:
// - <app>.js: the bundle and its boot line. `tinyiot flash` stores it as the Storage file ".bootcde",
//   the file Espruino itself runs at every power-up and after load() (what the IDE's "Save on Send:
//   to flash" writes); it runs from flash, so its function text stays out of RAM. An app file of our
//   own would need a ".boot0" loader to start it, one more file for nothing.
// - <app>.module.js: the same bundle as a module for a program of your own:
//   Modules.addCached("tinyiot-<app>", function () {...}), then
//   require("tinyiot-<app>").run({require: require, getTime: getTime, ...}) (see bootLine).
// - <app>.size.txt: the size report.
// The simulator's bundle (hal "emulated") has no boot line and no module form: the host runs it.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Board } from '../boards.js';
import { bootLine } from './entry.js';

export const GLOBAL = 'tinyiot';

export interface Output {
  dir: string;
  script: string;
  module?: string;
  report: string;
}

/** The text of <app>.js: the bundle, then (on a board) the statement that starts it. */
export function bootScript(bundle: string, b: Board): string {
  return b.hal === 'emulated' ? bundle : `${bundle.trimEnd()}\n${bootLine(b, GLOBAL)}\n`;
}

export function moduleText(bundle: string, app: string): string {
  return `Modules.addCached(${JSON.stringify(`tinyiot-${app}`)},function(){\n${bundle.trimEnd()}\nexports.run=${GLOBAL}.run;\n});\n`;
}

export async function writeOutput(outDir: string, b: Board, app: string, bundle: string, report: string): Promise<Output> {
  const dir = join(outDir, b.id);
  await mkdir(dir, { recursive: true });
  const o: Output = { dir, script: join(dir, `${app}.js`), report: join(dir, `${app}.size.txt`) };
  await writeFile(o.script, bootScript(bundle, b));
  if (b.hal !== 'emulated') {
    o.module = join(dir, `${app}.module.js`);
    await writeFile(o.module, moduleText(bundle, app));
  }
  await writeFile(o.report, report);
  return o;
}
