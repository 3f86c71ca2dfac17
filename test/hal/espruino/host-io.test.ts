// hostIo: the simulator's pins and sensors when the firmware runs on Espruino's interpreter. Node
// with a fake env for the contract; QuickJS for the generated entry and its boot line (plain ES5,
// tinyiotSense reachable as a global); Espruino's interpreter for the console round trip.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBoard } from '../../../build/boards.js';
import { bundleFirmware } from '../../../build/bundle.js';
import { runInEngine } from '../../../build/es5-engines.js';
import { runEspruino } from '../../../build/espruino/process.js';
import { loadApp } from '../../../build/firmware/apps.js';
import { bootLine, generateEntry } from '../../../build/firmware/entry.js';
import { espruinoStub } from '../../../build/firmware/stub-env.js';
import { hostIo, IO_FRAME } from '../../../hal/espruino/host-io.js';
import type { EspruinoEnv } from '../../../hal/espruino/env.js';
import { requireEspruino } from '../../support/espruino.js';
import { until } from '../../support/wait.js';

function fakeEnv() {
  const printed: string[] = [];
  const global: Record<string, unknown> = {};
  const env: EspruinoEnv = {
    require: () => undefined,
    getTime: () => 0,
    setTimeout: () => 0,
    clearTimeout: () => undefined,
    print: (s) => printed.push(s),
    global,
  };
  const sense = (name: string, value: number) => (global.tinyiotSense as (n: string, v: number) => void)(name, value);
  return { env, printed, sense };
}

describe('hostIo', () => {
  it('prints one framed line per pin write: DLE, "tinyiot-io", one space, then JSON', () => {
    const { env, printed } = fakeEnv();
    const io = hostIo(env);
    io.write('B2', true);
    io.write('led2', false);
    expect(printed).toEqual(['\x10tinyiot-io {"pin":"B2","value":true}', '\x10tinyiot-io {"pin":"led2","value":false}']);
    expect(JSON.parse(printed[0]!.slice(IO_FRAME.length))).toEqual({ pin: 'B2', value: true });
  });

  it('reads back the last value written to a pin, false before any write', () => {
    const { env } = fakeEnv();
    const io = hostIo(env);
    expect(io.read('B2')).toBe(false);
    io.write('B2', true);
    expect(io.read('B2')).toBe(true);
    expect(io.read('B12')).toBe(false);
    io.write('B2', false);
    expect(io.read('B2')).toBe(false);
  });

  it('senses the defaults until the host sets a value with tinyiotSense, defined on env.global', () => {
    const { env, sense, printed } = fakeEnv();
    const io = hostIo(env);
    expect([io.sense('temp'), io.sense('humidity'), io.sense('A0')]).toEqual([20.5, 45, 0]);
    sense('temp', 21.5);
    sense('A0', 0.25);
    expect([io.sense('temp'), io.sense('humidity'), io.sense('A0')]).toEqual([21.5, 45, 0.25]);
    expect(printed).toEqual([]);
  });

  it('each hostIo keeps its own readings; without env.global it says what is missing', () => {
    const a = fakeEnv();
    const ioA = hostIo(a.env);
    const ioB = hostIo(fakeEnv().env);
    a.sense('temp', 30);
    expect([ioA.sense('temp'), ioB.sense('temp')]).toEqual([30, 20.5]);
    expect(() => hostIo({ ...a.env, global: undefined })).toThrow(/env\.global/);
  });
});

let dir: string;
let hostIoBundle: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tinyiot-host-io-'));
  const entry = join(dir, 'host-io.ts');
  await writeFile(entry, `export { hostIo } from ${JSON.stringify(resolve('hal/espruino/host-io.js'))};\n`);
  hostIoBundle = (await bundleFirmware(entry, { minify: true, globalName: 'X' })).code;
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('a hostIo build in QuickJS', () => {
  it('the app writes its LED as a framed line, and tinyiotSense is a global the console can call', { timeout: 60_000 }, async () => {
    const board = loadBoard('esp32');
    const app = loadApp('mqtt-blink');
    const entry = join(dir, 'blink.entry.ts');
    await writeFile(entry, generateEntry(app, board, { simHost: true }));
    const b = await bundleFirmware(entry, { minify: true, globalName: 'tinyiot' });
    const script = `${bootLine(board, 'tinyiot', { simHost: true })}\nprint('sense ' + typeof tinyiotSense);`;
    const r = await runInEngine(espruinoStub(board, app.example) + b.code, { engine: 'quickjs', script });
    expect(r.error).toBeUndefined();
    const lines = r.output.trim().split('\n');
    expect(lines).toContain('\x10tinyiot-io {"pin":"D2","value":false}');
    expect(lines).toContain('sense function');
  });

  it('the host-io module alone: writes, reads back, senses what tinyiotSense set', async () => {
    const script = `var io = X.hostIo({ print: print, global: this });
      io.write('B2', true); print('read ' + io.read('B2') + ' ' + io.read('B12'));
      print('temp ' + io.sense('temp')); tinyiotSense('temp', 21.5); print('temp ' + io.sense('temp') + ' other ' + io.sense('x'));`;
    const r = await runInEngine(hostIoBundle, { engine: 'quickjs', script });
    expect(r.error).toBeUndefined();
    expect(r.output.trim().split('\n')).toEqual(['\x10tinyiot-io {"pin":"B2","value":true}', 'read true false', 'temp 20.5', 'temp 21.5 other 0']);
  });
});

const espruino = requireEspruino();

describe.skipIf(espruino.missing)('hostIo on Espruino\'s interpreter', () => {
  it('loaded from Storage: a pin write is one framed line, and a tinyiotSense line typed at the console changes sense()', { timeout: 30_000 }, async () => {
    const lines: string[] = [];
    const run = await runEspruino({
      storage: { hostio: hostIoBundle },
      // The typed lines run at the top level, where `io` is a global; the interval keeps the board alive.
      boot: 'eval(require("Storage").read("hostio")); var io = X.hostIo({ print: print, global: this }); io.write("B2", true); print("booted " + io.read("B2") + " " + io.sense("temp")); setInterval(function () {}, 1000);',
      onLine: (l) => lines.push(l),
    });
    try {
      await until(() => lines.some((l) => l.startsWith('booted')), 'the boot line');
      run.type('tinyiotSense("temp", 21.5)');
      run.type('print("sensed " + io.sense("temp") + " " + io.sense("humidity"))');
      await until(() => lines.some((l) => l.startsWith('sensed')), 'the typed line');
    } finally {
      await run.stop();
    }
    expect(lines).toContain('\x10tinyiot-io {"pin":"B2","value":true}');
    expect(lines).toContain('booted true 20.5');
    expect(lines).toContain('sensed 21.5 45');
  });
});
