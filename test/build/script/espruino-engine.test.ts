// The host side of --engine espruino with a stand-in for the interpreter (a shell script that
// prints what Espruino would), so that reading frames does not need Espruino; the real interpreter
// is in test/build/commands/script-engines-*.test.ts.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { playOnEspruino } from '../../../build/script/espruino-engine.js';
import type { Event } from '../../../build/script/events.js';
import { toPlan } from '../../../build/script/plan.js';
import { validate } from '../../../build/script/parse.js';

const dir = mkdtempSync(join(tmpdir(), 'tinyiot-fake-espruino-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** An "interpreter" that stores anything it is asked to, then prints the banner and `lines`. */
function fakeEspruino(name: string, lines: string[]): string {
  const path = join(dir, name);
  const out = lines.map((l) => `printf '%s\\r\\n' '${l.replace(/'/g, "'\\''")}'`).join('\n');
  writeFileSync(path, `#!/bin/sh\nif [ "$1" = store.js ]; then echo STORAGE-DONE; exit 0; fi\necho 'Espruino'\necho 'http://espruino.com/Donate'\n${out}\n`);
  chmodSync(path, 0o755);
  return path;
}

const plan = toPlan(validate({ host: 'h', port: 1, steps: [{ op: 'wait', ms: 1 }] }));

async function play(bin: string) {
  const events: Event[] = [];
  const stderr: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (stderr.push(String(s)), true));
  const code = await playOnEspruino(plan, (e) => events.push(e), bin);
  return { code, events, stderr: stderr.join('') };
}

describe('playOnEspruino', () => {
  it('prints the framed events (payloads made text), passes other lines to stderr, and exits as the end frame says', async () => {
    const r = await play(
      fakeEspruino('ok', [
        '>\x10tinyiot-ev {"ev":"message","topic":"t","payloadHex":"c3a9","qos":1,"retain":false,"dup":false}',
        '>',
        'warn: espruino: TLS does not verify',
        '\x10tinyiot-ev {"ev":"error","msg":"step 1 (connect): could not connect to h:1","reason":"Unable to create socket"}',
        '\x10tinyiot-ev not json',
        '\x10tinyiot-end 1',
      ]),
    );
    expect(r.code).toBe(1);
    expect(r.events).toEqual([
      { ev: 'message', topic: 't', payload: 'é', qos: 1, retain: false, dup: false },
      { ev: 'error', msg: 'step 1 (connect): could not connect to h:1', reason: 'Unable to create socket' },
    ]);
    expect(r.stderr).toBe('espruino: warn: espruino: TLS does not verify\nespruino: \x10tinyiot-ev not json\n');
  });

  it('exits 0 on an end frame with 0', async () => {
    expect((await play(fakeEspruino('zero', ['\x10tinyiot-end 0']))).code).toBe(0);
  });

  it('reports an interpreter that ends before the end frame as an error, exit 1', async () => {
    const r = await play(fakeEspruino('crash', ['Uncaught Error: boom']));
    expect(r.code).toBe(1);
    expect(r.events).toEqual([{ ev: 'error', msg: 'the Espruino interpreter ended before the script did (exit status 0); its output is on stderr' }]);
    expect(r.stderr).toBe('espruino: Uncaught Error: boom\n');
  });
});
