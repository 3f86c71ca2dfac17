// `tinyiot new <dir> [--template mqtt|iothub]`: a firmware project of the user's own (build/new/templates.ts).
// It never writes into a folder that holds anything, so it cannot overwrite a project.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { version } from '../cli.js';
import { parseArgs, UsageError } from '../firmware/args.js';
import { projectFiles, type Template, TEMPLATES } from '../new/templates.js';

export const help = `usage: tinyiot new <dir> [--template mqtt|iothub]

Creates a firmware project of your own in <dir> (a new or empty folder):
  package.json          depends on tinyiot (npm install gets it and its build tools)
  tsconfig.json         strict, ES5 library: the editor flags what the boards do not have
  src/main.ts           the app: main(hal, cfg), importing tinyiot/firmware/... and tinyiot/hal/...
  config.example.json   its sample config (the build's start-up check and 'tinyiot sim' use it)
  README.md, .gitignore
Then, in <dir>: npm install; npx tinyiot build . --board espruino-wifi; npx tinyiot sim . ...

options:
  --template <name>  mqtt (default): publishes a counter, a command toggles the LED, against any
                     MQTT broker; iothub: telemetry to Azure IoT Hub (or 'tinyiot hub')

Exit code: 0 when created; 2 for a usage mistake, such as a folder that is not empty.`;

/** A package name from the folder's: lower case, letters, digits and '-'. */
const packageName = (dir: string): string => basename(dir).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'my-firmware';

function target(argv: string[]): { dir: string; template: Template } {
  const p = parseArgs(argv, { template: 'string' }, 1);
  const arg = p.positionals[0];
  if (!arg) throw new UsageError('missing <dir>');
  const template = (p.flags.template ?? 'mqtt') as Template;
  if (!TEMPLATES.includes(template)) throw new UsageError(`--template must be one of ${TEMPLATES.join(', ')} (got '${template}')`);
  const dir = resolve(arg);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UsageError(`${arg} exists and is not a folder`);
    if (readdirSync(dir).length) throw new UsageError(`${arg} is not empty: give a new or empty folder, so nothing of yours is overwritten`);
  }
  return { dir, template };
}

export async function run(argv: string[]): Promise<number> {
  let t: { dir: string; template: Template };
  try {
    t = target(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tinyiot new: ${e.message}\n\n${help}\n`);
    return 2;
  }
  const files = projectFiles(packageName(t.dir), t.template, version());
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(t.dir, rel)), { recursive: true });
    writeFileSync(join(t.dir, rel), text);
  }
  process.stdout.write(`created ${t.dir} (${t.template}): ${Object.keys(files).join(', ')}\n\nnext:\n  cd ${t.dir}\n  npm install\n  npx tinyiot build . --board espruino-wifi\n`);
  return 0;
}
