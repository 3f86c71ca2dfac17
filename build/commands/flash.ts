// `tinyiot flash <app> --board <id> --port <serial|tcp://host:port>`: build, then upload with
// EspruinoTools (build/firmware/flasher.ts).
import { defaultBoardsDir, loadBoard } from '../boards.js';
import { appArgumentHelp } from '../firmware/apps.js';
import { buildKinds, buildOptions, parseAppArgs, UsageError } from '../firmware/args.js';
import { readConfigFile } from '../firmware/config-file.js';
import { checkPort, flash, FlashError } from '../firmware/flasher.js';
import { buildFirmware } from '../firmware/pipeline.js';

export const help = `usage: tinyiot flash <app> --board <id> --port <serial device | tcp://host:port> [options]

Builds <app> for the board (as 'tinyiot build' does), then uploads out/<id>/<app>.js with
EspruinoTools to the board's Storage as ".bootcde", which Espruino runs at every power-up, and
checks what the board stored. Fails when no board answers on the port.

options:
  --board <id>          target board (see 'tinyiot boards')
  --port <p>            /dev/ttyUSB0, /dev/ttyACM0 ... or tcp://host:port (a board's telnet console)
  --config <file.json>  app config to store as "tinyiot.json" (connection string, broker, WiFi:
                        {"wifi": {"ssid": "...", "password": "..."}}); it may hold secrets and is never printed
  --baud <n>            serial baud rate (default EspruinoTools' 9600; USB boards ignore it)
  --timeout <s>         deadline of each step (default 30)
  --insecure-dev        boards without TLS only: plain TCP, insecure development mode
  --budget-bytes <n>    as in 'tinyiot build'
  --budget-jsvars <n>   as in 'tinyiot build'
  --boards-dir <dir>    board files from <dir> instead of ${defaultBoardsDir}
  --out <dir>           build output directory (default out)

${appArgumentHelp()}`;

const kinds = { ...buildKinds, port: 'string', baud: 'number', timeout: 'number' } as const;

export async function run(argv: string[]): Promise<number> {
  const p = parseAppArgs('flash', help, argv, kinds, { port: '--port <serial device | tcp://host:port>' });
  if (!p) return 2;
  const f = p.flags;
  const say = (l: string) => process.stderr.write(`flash: ${l}\n`);
  // Before the build: a wrong board, port or config is said at once.
  if (loadBoard(f.board as string, f['boards-dir'] as string | undefined).hal === 'emulated') {
    throw new UsageError(`board '${f.board}' is the simulator: run the app on it with 'tinyiot sim'`);
  }
  try {
    checkPort(f.port as string);
  } catch (e) {
    if (!(e instanceof FlashError)) throw e;
    process.stderr.write(`tinyiot flash: ${e.message}\n`);
    return 1;
  }
  if (f.config) readConfigFile(f.config as string);
  const r = await buildFirmware(buildOptions(p, say));
  if (!r.ok) {
    if (r.report) process.stdout.write(r.report);
    process.stderr.write(`tinyiot flash: ${r.app.name} for ${r.board.id} failed: ${r.error}\n`);
    return 1;
  }
  try {
    await flash({
      script: r.output!.script,
      bytes: Buffer.byteLength(r.script!),
      board: r.board,
      port: f.port as string,
      config: f.config as string | undefined,
      baud: f.baud as number | undefined,
      timeoutMs: f.timeout ? (f.timeout as number) * 1000 : undefined,
      progress: say,
    });
  } catch (e) {
    if (!(e instanceof FlashError)) throw e;
    process.stderr.write(`tinyiot flash: ${e.message}\n`);
    return 1;
  }
  return 0;
}
