// `tinyiot build <app> --board <id>`: firmware for one board, checked and measured (build/firmware/pipeline.ts).
import { defaultBoardsDir } from '../boards.js';
import { appArgumentHelp } from '../firmware/apps.js';
import { buildKinds, buildOptions, parseAppArgs } from '../firmware/args.js';
import { buildFirmware } from '../firmware/pipeline.js';

export const help = `usage: tinyiot build <app> --board <id> [options]

Builds an app for a board (boards/<id>.json) into out/<id>/:
  <app>.js         bundle + boot line; 'tinyiot flash' stores it as Storage ".bootcde",
                   which Espruino runs at every power-up
  <app>.module.js  the same as Modules.addCached("tinyiot-<app>", ...) for your own program
  <app>.size.txt   the size report (also printed)
The bundle is plain ES5, started once (on Espruino's interpreter when one is found, else in
QuickJS) over stand-ins of the board's APIs (main() must start without throwing), and checked
against the board's budget: bytes against maxBundleBytes, JsVars against maxShare x jsVars. Over budget fails with the report of what takes the space.

options:
  --board <id>          target board (see 'tinyiot boards')
  --insecure-dev        boards without TLS only (esp8266): plain TCP, insecure development mode
  --budget-bytes <n>    bundle byte limit instead of the board's maxBundleBytes
  --budget-jsvars <n>   JsVar budget instead of the board's (maxShare x jsVars)
  --boards-dir <dir>    board files from <dir> instead of ${defaultBoardsDir}
  --out <dir>           output directory (default out)
  --config <file.json>  config for the start-up check (default the app's config.example.json)

${appArgumentHelp()}`;

export async function run(argv: string[]): Promise<number> {
  const p = parseAppArgs('build', help, argv, buildKinds);
  if (!p) return 2;
  const r = await buildFirmware(buildOptions(p, (l) => process.stderr.write(`build: ${l}\n`)));
  if (r.report) process.stdout.write(r.report);
  if (!r.ok) {
    process.stderr.write(`tinyiot build: ${r.app.name} for ${r.board.id} failed: ${r.error}\n`);
    return 1;
  }
  if (r.board.insecureDevOnly) process.stderr.write('build: WARNING: insecure development build (plain TCP): never use real credentials with it\n');
  process.stderr.write(`build: wrote ${[r.output!.script, r.output!.module, r.output!.report].filter(Boolean).join(', ')}\n`);
  return 0;
}
