// Reads an app config file (JSON object) for build, flash and sim, with errors that name the file.
// The content may hold secrets (connection strings, passwords): errors never quote it.
import { readFileSync } from 'node:fs';

export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`config ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`config ${path}: not valid JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`config ${path}: must be a JSON object`);
  return v as Record<string, unknown>;
}
