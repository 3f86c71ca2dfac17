// hostIo: the simulator's pins and sensors when the firmware runs on Espruino's interpreter. Node
// with a fake env for the contract; QuickJS for the generated entry and its boot line (plain ES5);
// Espruino's interpreter for the sensor file the host writes in its working folder.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
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
import { hostIo, IO_FRAME, SENSOR_FILE } from '../../../hal/espruino/host-io.js';
import type { EspruinoEnv } from '../../../hal/espruino/env.js';
import { requireEspruino } from '../../support/espruino.js';
import { until } from '../../support/wait.js';

/** An env whose fs holds the sensor file as the host last wrote it (undefined: no file yet). */
function fakeEnv() {
  const printed: string[] = [];
  const files: Record<string, string | undefined> = {};
  const fs = {
    readFileSync: (name: string) => {
      if (files[name] === undefined) throw new Error(`no file ${name}`);
      return files[name];
    },
  };
  const env: EspruinoEnv = {
    require: (m: string) => (m === 'fs' ? fs : undefined),
    getTime: () => 0,
    setTimeout: () => 0,
    clearTimeout: () => undefined,
    print: (s) => printed.push(s),
  };
  const write = (readings: Record<string, number> | string) => (files[SENSOR_FILE] = typeof readings === 'string' ? readings : JSON.stringify(readings));
  return { env, printed, write };
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

  it('senses the defaults until the host writes its sensor file, then what the file holds', () => {
    const { env, write, printed } = fakeEnv();
    const io = hostIo(env);
    expect([io.sense('temp'), io.sense('humidity'), io.sense('A0')]).toEqual([20.5, 45, 0]);
    write({ temp: 21.5, A0: 0.25 });
    expect([io.sense('temp'), io.sense('humidity'), io.sense('A0')]).toEqual([21.5, 45, 0.25]);
    write({ temp: 19 });
    expect(io.sense('temp')).toBe(19);
    expect(printed).toEqual([]);
  });

  it('a file that is not JSON, or a reading that is not a number, reads the default', () => {
    const { env, write } = fakeEnv();
    const io = hostIo(env);
    write('{"temp": 2');
    expect(io.sense('temp')).toBe(20.5);
    write({ temp: 'hot' as unknown as number });
    expect(io.sense('temp')).toBe(20.5);
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
  it('the app writes its LED as a framed line', { timeout: 60_000 }, async () => {
    const board = loadBoard('esp32');
    const app = loadApp('mqtt-blink');
    const entry = join(dir, 'blink.entry.ts');
    await writeFile(entry, generateEntry(app, board, { simHost: true }));
    const b = await bundleFirmware(entry, { minify: true, globalName: 'tinyiot' });
    const script = bootLine(board, 'tinyiot', { simHost: true });
    const r = await runInEngine(espruinoStub(board, app.example) + b.code, { engine: 'quickjs', script });
    expect(r.error).toBeUndefined();
    const lines = r.output.trim().split('\n');
    expect(lines).toContain('\x10tinyiot-io {"pin":"D2","value":false}');
  });

  it('the host-io module alone: writes and reads back; with no fs the defaults', async () => {
    const script = `var io = X.hostIo({ print: print, require: function () { throw new Error('no fs'); } });
      io.write('B2', true); print('read ' + io.read('B2') + ' ' + io.read('B12'));
      print('temp ' + io.sense('temp') + ' other ' + io.sense('x'));`;
    const r = await runInEngine(hostIoBundle, { engine: 'quickjs', script });
    expect(r.error).toBeUndefined();
    expect(r.output.trim().split('\n')).toEqual(['\x10tinyiot-io {"pin":"B2","value":true}', 'read true false', 'temp 20.5 other 0']);
  });
});

const espruino = requireEspruino();

describe.skipIf(espruino.missing)('hostIo on Espruino\'s interpreter', () => {
  it('loaded from Storage: a pin write is one framed line, and sense() reads the file the host writes', { timeout: 30_000 }, async () => {
    const lines: string[] = [];
    const run = await runEspruino({
      storage: { hostio: hostIoBundle },
      // Every 50 ms the board prints what it senses; the interval keeps it alive.
      boot: 'eval(require("Storage").read("hostio")); var io = X.hostIo({ print: print, require: require }); io.write("B2", true); print("booted " + io.read("B2") + " " + io.sense("temp")); setInterval(function () { print("sensed " + io.sense("temp") + " " + io.sense("humidity")); }, 50);',
      onLine: (l) => lines.push(l),
    });
    try {
      await until(() => lines.some((l) => l.startsWith('booted')), 'the boot line');
      await writeFile(join(run.dir, 'sensors.tmp'), JSON.stringify({ temp: 21.5 }));
      await rename(join(run.dir, 'sensors.tmp'), join(run.dir, SENSOR_FILE));
      await until(() => lines.includes('sensed 21.5 45'), 'the reading from the file');
    } finally {
      await run.stop();
    }
    expect(lines).toContain('\x10tinyiot-io {"pin":"B2","value":true}');
    expect(lines).toContain('booted true 20.5');
  });
});
