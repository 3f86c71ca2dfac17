// Apps are folders holding main.ts (see firmware/apps/README.md): the examples firmware/apps/<name>/,
// named by their name, or a folder of the user's own anywhere, named by its path (`./src`, `.`,
// `/home/me/thermostat`), with main.ts in it or in its src/. config.example.json beside main.ts (or
// in the folder given) is the sample configuration the build's start-up check and the simulator
// use; an app without one gets {} and `exampleMissing` says so, for the commands to state it.
import { parseJsonQuietly } from '../json.js';
import { UsageError } from '../usage-error.js';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const appsDir = fileURLToPath(new URL('../../firmware/apps/', import.meta.url));

export interface App {
  name: string;
  main: string;
  /** The sample configuration, {} when the app has none. */
  example: Record<string, unknown>;
  /** The folder given on the command line, for an app outside the examples. */
  dir?: string;
  /** Where config.example.json was looked for, when there is none (example is then {}). */
  exampleMissing?: string;
}

export function listApps(dir: string = appsDir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'main.ts')))
    .map((d) => d.name)
    .sort();
}

/** A path (has a slash, or is . or ..) names a folder; anything else names an example app. */
/** What the <app> argument of build, flash and sim may be: the same paragraph in each command's help. */
export function appArgumentHelp(): string {
  return `<app> is an example app's name or the path of a folder of your own (./my-app, .): its main.ts
(or src/main.ts) exports main(hal, cfg) and imports tinyiot/firmware/... and tinyiot/hal/...;
see 'tinyiot new'. A folder's app is type-checked first (its tsconfig.json, else strict ES5
defaults) and its mistakes are reported at its own file:line:col. Without a config.example.json
the app gets the config {} (a line says so).

examples: ${listApps().join(', ')}`;
}

export function isAppPath(arg: string): boolean {
  return arg.includes('/') || arg.includes('\\') || arg === '.' || arg === '..';
}

export function loadApp(nameOrPath: string, dir: string = appsDir): App {
  if (typeof nameOrPath === 'string' && isAppPath(nameOrPath)) return loadAppFolder(nameOrPath);
  const name = nameOrPath;
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new UsageError(`bad app name '${name}' (lower-case letters, digits and '-'; a folder of your own is given as a path, e.g. ./${name})`);
  }
  const main = join(dir, name, 'main.ts');
  if (!existsSync(main)) {
    const hint = existsSync(name) ? `; for the folder ${name} here, write ./${name}` : '';
    throw new UsageError(`unknown app '${name}' (apps: ${listApps(dir).join(', ')}, or a folder path such as ./my-app${hint})`);
  }
  return { name, main, ...readExample([join(dir, name)]) };
}

function loadAppFolder(path: string): App {
  const dir = resolve(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`app folder ${path} does not exist`);
  const main = [join(dir, 'main.ts'), join(dir, 'src', 'main.ts')].find((f) => existsSync(f));
  if (!main) throw new UsageError(`${path} is not an app: it has neither main.ts nor src/main.ts`);
  return { name: appName(dir), main, dir, ...readExample([dirname(main), dir]) };
}

/** The output files' name: the folder's package.json name, else the folder's (its parent's for src/). */
function appName(dir: string): string {
  let raw = basename(dir) === 'src' ? basename(dirname(dir)) : basename(dir);
  const pkg = join(dir, 'package.json');
  if (existsSync(pkg)) {
    try {
      const n = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name;
      if (typeof n === 'string' && n) raw = n.replace(/^@[^/]*\//, '');
    } catch {
      // A broken package.json is not ours to report: the folder's name will do.
    }
  }
  return raw.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'app';
}

function readExample(dirs: string[]): Pick<App, 'example' | 'exampleMissing'> {
  const file = dirs.map((d) => join(d, 'config.example.json')).find((f) => existsSync(f));
  // The example may hold a connection string: a syntax error names the place, never the text.
  if (file) return { example: parseJsonQuietly(readFileSync(file, 'utf8'), file) as Record<string, unknown> };
  return { example: {}, exampleMissing: join(dirs[0]!, 'config.example.json') };
}
