// The one flag parser of every tinyiot command: node:util's parseArgs reads --name value,
// --name=value, boolean --flag, repeated flags and positionals; this wrapper holds tinyiot's rules
// over its tokens (every option known, a value where one is needed, numbers positive) so each
// mistake is a UsageError naming the flag, which the commands turn into exit code 2 and their help.
// Also what build and flash share: <app> --board <id> and the flags that feed buildFirmware.
import { parseArgs as parseTokens } from 'node:util';
import { loadBoard } from '../boards.js';
import { readConfigFile } from './config-file.js';
import { buildableBoard } from './refuse.js';
import type { BuildOptions } from './pipeline.js';
import { UsageError, usageText } from '../usage-error.js';

export { UsageError };

/** 'list': a string flag that may be given again, each value kept in order. */
export type FlagKind = 'string' | 'number' | 'boolean' | 'list';

export interface Parsed {
  flags: Record<string, string | number | boolean | string[] | undefined>;
  positionals: string[];
}

function value(name: string, kind: FlagKind, v: string | undefined, inline: boolean): string | number {
  // A flag right after a flag (`--board --json`) is a forgotten value, not the value.
  if (v === undefined || v === '' || (!inline && v.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
  if (kind !== 'number') return v;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number (got '${v}')`);
  return n;
}

export function parseArgs(argv: string[], kinds: Record<string, FlagKind>, maxPositionals: number): Parsed {
  const options = Object.fromEntries(
    Object.entries(kinds).map(([name, kind]) => [name, { type: kind === 'boolean' ? ('boolean' as const) : ('string' as const), multiple: kind === 'list' }]),
  );
  // Not node's strict mode: its messages quote node's own wording; the same checks are made below.
  const { tokens } = parseTokens({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  const flags: Parsed['flags'] = {};
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    const kind = Object.hasOwn(kinds, t.name) ? kinds[t.name] : undefined;
    if (!kind) throw new UsageError(`unknown option '${t.rawName}'`);
    if (kind === 'boolean') {
      if (t.value !== undefined) throw new UsageError(`--${t.name} takes no value`);
      flags[t.name] = true;
    } else if (kind === 'list') flags[t.name] = [...((flags[t.name] as string[] | undefined) ?? []), value(t.name, kind, t.value, t.inlineValue === true) as string];
    else flags[t.name] = value(t.name, kind, t.value, t.inlineValue === true);
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
    process.stderr.write(usageText(cmd, e.message, help));
    return undefined;
  }
}

/** buildFirmware's options from parseAppArgs() over buildKinds; reads the --config file and the board (a board that cannot build as asked is a UsageError). */
export function buildOptions(p: Parsed, progress: (line: string) => void): BuildOptions {
  const f = p.flags;
  const boardsDir = f['boards-dir'] as string | undefined;
  return {
    app: p.positionals[0]!,
    board: buildableBoard(loadBoard(f.board as string, boardsDir), { insecureDev: f['insecure-dev'] === true }),
    boardsDir,
    outDir: f.out as string | undefined,
    insecureDev: f['insecure-dev'] === true,
    budgetBytes: f['budget-bytes'] as number | undefined,
    budgetJsVars: f['budget-jsvars'] as number | undefined,
    config: f.config ? readConfigFile(f.config as string) : undefined,
    progress,
  };
}
