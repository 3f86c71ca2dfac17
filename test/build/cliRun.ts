// Runs the real `tinyiot` binary in a child process, as a user would, and collects what it prints.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/tinyiot.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as one JSON object per line (only for commands that print JSON lines). */
  events(): Record<string, unknown>[];
}

/**
 * `onLine` sees each stdout line as it arrives, so a test can act in the middle of a run; `env`
 * adds to (or, with undefined values, takes from) this process's environment.
 */
export function runCli(args: string[], onLine?: (line: string) => void, env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    let partial = '';
    p.stdout.setEncoding('utf8');
    p.stderr.setEncoding('utf8');
    p.stdout.on('data', (s: string) => {
      stdout += s;
      partial += s;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      if (onLine) for (const l of lines) onLine(l);
    });
    p.stderr.on('data', (s: string) => (stderr += s));
    p.on('error', reject);
    p.on('close', (code) =>
      resolve({
        code,
        stdout,
        stderr,
        events: () =>
          stdout
            .split('\n')
            .filter((l) => l)
            .map((l) => JSON.parse(l) as Record<string, unknown>),
      }),
    );
  });
}
