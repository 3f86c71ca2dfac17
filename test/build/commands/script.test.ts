// `tinyiot script`'s engine choice: the option, and what happens without an Espruino interpreter.
import { execFileSync, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { espruinoFor } from '../../../build/commands/script.js';
import { HOW_TO_GET } from '../../../build/espruino/locate.js';
import { freePort } from '../../support/ports.js';
import { requireEspruino } from '../../support/espruino.js';
import { useScriptDir } from '../../support/scriptHarness.js';
import { until } from '../../support/wait.js';
import { ROOT, runCli } from '../cliRun.js';

const d = useScriptDir();

async function unreachable(): Promise<string> {
  const p = join(d.dir, 'unreachable.json');
  await writeFile(p, JSON.stringify({ host: '127.0.0.1', port: await freePort(), tls: false, steps: [{ op: 'connect', clientId: 'c', clean: true }] }));
  return p;
}

describe('espruinoFor', () => {
  it('gives the interpreter found, or says how to get one', () => {
    expect(espruinoFor(() => ({ path: '/x/espruino', from: 'PATH' }))).toEqual({ path: '/x/espruino' });
    expect(espruinoFor(() => undefined)).toEqual({ error: expect.stringContaining(HOW_TO_GET) });
    expect(espruinoFor(() => undefined)).toEqual({ error: expect.stringMatching(/^--engine espruino needs Espruino's interpreter/) });
  });

  it('passes on why a TINYIOT_ESPRUINO is unusable', () => {
    const bad = () => {
      throw new Error('TINYIOT_ESPRUINO=/nope: not an executable Espruino interpreter');
    };
    expect(espruinoFor(bad)).toEqual({ error: 'TINYIOT_ESPRUINO=/nope: not an executable Espruino interpreter' });
  });
});

describe('tinyiot script --engine', () => {
  it('takes node (the default) in both forms', async () => {
    const p = await unreachable();
    for (const args of [['script', p], ['script', '--engine', 'node', p], ['script', `--engine=node`, p]]) {
      const r = await runCli(args);
      expect(r.code).toBe(1);
      expect(r.events()).toEqual([expect.objectContaining({ ev: 'error', msg: expect.stringMatching(/could not connect/) })]);
    }
  });

  it('exits 2 on an engine it does not know or a missing value, with the help', async () => {
    const p = await unreachable();
    const r1 = await runCli(['script', '--engine', 'quickjs', p]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/^tinyiot script: --engine must be node or espruino \(got 'quickjs'\)\n\nusage: tinyiot script/);
    const r2 = await runCli(['script', p, '--engine']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/^tinyiot script: --engine needs a value/);
  });

  it('exits 1 with the reason when the Espruino interpreter it is told to use is not one, after checking the script', async () => {
    const p = await unreachable();
    const env = { TINYIOT_ESPRUINO: join(d.dir, 'no-such-espruino') };
    const r = await runCli(['script', '--engine', 'espruino', p], undefined, env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^tinyiot script: TINYIOT_ESPRUINO=.*no-such-espruino: not an executable Espruino interpreter\n$/);
    // A malformed script is still a usage mistake first.
    const bad = join(d.dir, 'bad.json');
    await writeFile(bad, '{}');
    expect((await runCli(['script', '--engine', 'espruino', bad], undefined, env)).code).toBe(2);
  });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Pids of the booted interpreters `parent` started (pgrep exits 1 when there are none). */
function espruinoChildren(parent: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(parent), '-f', 'espruino boot.js'], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const e = requireEspruino();
describe.skipIf(e.missing)('tinyiot script --engine espruino on Ctrl-C', () => {
  it('ends the interpreter (which ignores SIGINT) and exits 130', async () => {
    // A broker that never answers: the script waits for its CONNACK for a minute.
    const silent = createServer((c) => c.resume().on('error', () => {}));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const p = join(d.dir, 'long.json');
      const port = (silent.address() as { port: number }).port;
      await writeFile(p, JSON.stringify({ host: '127.0.0.1', port, tls: false, timeout: 60000, steps: [{ op: 'connect', clientId: 'c', clean: true }] }));
      const cli = spawn(process.execPath, [join(ROOT, 'bin', 'tinyiot.mjs'), 'script', '--engine', 'espruino', p], { stdio: 'ignore' });
      const exited = new Promise<number | null>((r) => cli.on('close', (code) => r(code)));
      let interpreter: number[] = [];
      await until(() => (interpreter = espruinoChildren(cli.pid!)).length > 0, 'the interpreter to start', 30_000);
      cli.kill('SIGINT');
      expect(await exited).toBe(130);
      await until(() => !interpreter.some(alive), 'the interpreter to be gone');
    } finally {
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});
