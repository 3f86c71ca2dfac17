// A small flag parser for build, flash, sim and demo: --name value, --name=value, boolean --flag,
// and positionals. Mistakes throw UsageError, which the commands turn into exit code 2 and their
// help. Also what build and flash share: <app> --board <id> and the flags that feed buildFirmware.
import { readConfigFile } from './config-file.js';
import type { BuildOptions } from './pipeline.js';

export class UsageError extends Error {}

export type FlagKind = 'string' | 'number' | 'boolean';

export interface Parsed {
  flags: Record<string, string | number | boolean | undefined>;
  positionals: string[];
}

export function parseArgs(argv: string[], kinds: Record<string, FlagKind>, maxPositionals: number): Parsed {
  const flags: Parsed['flags'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) {
      if (a.startsWith('-') && a.length > 1) throw new UsageError(`unknown option '${a}'`);
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = kinds[name];
    if (!kind) throw new UsageError(`unknown option '--${name}'`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined || v === '' || (eq < 0 && v.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (kind === 'number') {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number (got '${v}')`);
      flags[name] = n;
    } else flags[name] = v;
  }
  if (positionals.length > maxPositionals) throw new UsageError(`unexpected argument '${positionals[maxPositionals]}'`);
  return { flags, positionals };
}

/** The flags `tinyiot build` and `tinyiot flash` share; buildOptions() reads them. */
export const buildKinds = {
  board: 'string', 'insecure-dev': 'boolean', 'budget-bytes': 'number', 'budget-jsvars': 'number', 'boards-dir': 'string', out: 'string', config: 'string',
} as const;

/**
 * argv of `tinyiot <cmd> <app> --board <id> ...`; `required` maps further flags that must be given
 * to how the message names them. A usage mistake is written with the help and gives undefined: the
 * command then exits 2.
 */
export function parseAppArgs(cmd: string, help: string, argv: string[], kinds: Record<string, FlagKind>, required: Record<string, string> = {}): Parsed | undefined {
  try {
    const p = parseArgs(argv, kinds, 1);
    if (!p.positionals[0]) throw new UsageError('missing <app>');
    for (const [k, shown] of Object.entries({ board: '--board <id>', ...required })) if (!p.flags[k]) throw new UsageError(`missing ${shown}`);
    return p;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`tinyiot ${cmd}: ${e.message}\n\n${help}\n`);
    return undefined;
  }
}

/** buildFirmware's options from parseAppArgs() over buildKinds; reads the --config file. */
export function buildOptions(p: Parsed, progress: (line: string) => void): BuildOptions {
  const f = p.flags;
  return {
    app: p.positionals[0]!,
    board: f.board as string,
    boardsDir: f['boards-dir'] as string | undefined,
    outDir: f.out as string | undefined,
    insecureDev: f['insecure-dev'] === true,
    budgetBytes: f['budget-bytes'] as number | undefined,
    budgetJsVars: f['budget-jsvars'] as number | undefined,
    config: f.config ? readConfigFile(f.config as string) : undefined,
    progress,
  };
}
