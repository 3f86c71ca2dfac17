// A small flag parser for build, flash and sim: --name value, --name=value, boolean --flag, and
// positionals. Mistakes throw UsageError, which the commands turn into exit code 2 and their help.

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
