// Apps are folders firmware/apps/<name>/ holding main.ts (see firmware/apps/README.md); an optional
// config.example.json is the sample configuration the build's start-up check and the simulator use.
import { parseJsonQuietly } from '../json.js';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const appsDir = fileURLToPath(new URL('../../firmware/apps/', import.meta.url));

export interface App {
  name: string;
  main: string;
  /** The sample configuration, {} when the app has none. */
  example: Record<string, unknown>;
}

export function listApps(dir: string = appsDir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'main.ts')))
    .map((d) => d.name)
    .sort();
}

export function loadApp(name: string, dir: string = appsDir): App {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new Error(`bad app name '${name}' (lower-case letters, digits and '-')`);
  }
  const main = join(dir, name, 'main.ts');
  if (!existsSync(main)) throw new Error(`unknown app '${name}' (apps: ${listApps(dir).join(', ')})`);
  const ex = join(dir, name, 'config.example.json');
  let example: Record<string, unknown> = {};
  if (existsSync(ex)) {
    // The example may hold a connection string: a syntax error names the place, never the text.
    example = parseJsonQuietly(readFileSync(ex, 'utf8'), ex) as Record<string, unknown>;
  }
  return { name, main, example };
}
