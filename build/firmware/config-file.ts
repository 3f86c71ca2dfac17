// Reads the files the command line names (an app config, a CA certificate) with errors that name
// the flag and the file: one that cannot be read, or a config that is not a JSON object, is a usage
// mistake (exit 2). A config may hold secrets (connection strings, passwords): errors never quote it.
import { readFileSync } from 'node:fs';
import { UsageError } from '../usage-error.js';

const why = (e: unknown): string => {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : code === 'EACCES' ? 'permission denied' : (code ?? (e as Error).message);
};

/** The text of the file `path` given with `flag` (e.g. --ca). */
export function readFlagFile(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot read (${why(e)})`);
  }
}

export function readConfigFile(path: string, flag = '--config'): Record<string, unknown> {
  const text = readFlagFile(flag, path);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new UsageError(`${flag} ${path}: not valid JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError(`${flag} ${path}: must be a JSON object`);
  return v as Record<string, unknown>;
}
