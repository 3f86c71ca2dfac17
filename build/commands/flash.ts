// `tinyiot flash <app> --board <id> --port <serial|tcp://host:port>`: build, then upload with
// EspruinoTools (build/firmware/flasher.ts).
import { defaultBoardsDir } from '../boards.js';
import { listApps } from '../firmware/apps.js';
import { parseArgs, UsageError } from '../firmware/args.js';
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
  --boards-dir <dir>    board files from <dir> instead of ${defaultBoardsDir}
  --out <dir>           build output directory (default out)

apps: ${listApps().join(', ')}`;

const kinds = {
  board: 'string', port: 'string', config: 'string', baud: 'number', timeout: 'number', 'insecure-dev': 'boolean',
  'budget-bytes': 'number', 'boards-dir': 'string', out: 'string',
} as const;

export async function run(argv: string[]): Promise<number> {
  let p;
  try {
    p = parseArgs(argv, kinds, 1);
    if (!p.positionals[0]) throw new UsageError('missing <app>');
    if (!p.flags.board) throw new UsageError('missing --board <id>');
    if (!p.flags.port) throw new UsageError('missing --port <serial device | tcp://host:port>');
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tinyiot flash: ${e.message}\n\n${help}\n`);
    return 2;
  }
  const f = p.flags;
  const say = (l: string) => process.stderr.write(`flash: ${l}\n`);
  try {
    checkPort(f.port as string);
    if (f.config) readConfigFile(f.config as string);
  } catch (e) {
    process.stderr.write(`tinyiot flash: ${(e as Error).message}\n`);
    return 1;
  }
  const r = await buildFirmware({
    app: p.positionals[0],
    board: f.board as string,
    boardsDir: f['boards-dir'] as string | undefined,
    outDir: f.out as string | undefined,
    insecureDev: f['insecure-dev'] === true,
    budgetBytes: f['budget-bytes'] as number | undefined,
    config: f.config ? readConfigFile(f.config as string) : undefined,
    progress: say,
  });
  if (!r.ok) {
    if (r.report) process.stdout.write(r.report);
    process.stderr.write(`tinyiot flash: ${r.app.name} for ${r.board.id} failed: ${r.error}\n`);
    return 1;
  }
  if (r.board.hal === 'emulated') {
    process.stderr.write(`tinyiot flash: board '${r.board.id}' is the simulator: use 'tinyiot sim'\n`);
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
