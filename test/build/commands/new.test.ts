// `tinyiot new` and a project of the user's own, as a user has it: a folder outside this repository
// whose node_modules/tinyiot is this checkout (a symlink, as `npm link` makes; the build never
// installs packages), built and type-checked by the real CLI, and its mistakes named in its source.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binary.js';
import { type Broker, startMosquitto } from '../../support/brokers.js';
import { until } from '../../support/wait.js';
import { ROOT, runCli } from '../cliRun.js';

const dir = mkdtempSync(join(tmpdir(), 'tinyiot-new-'));
const out = join(dir, 'out');
const mosq = requireBinary('mosquitto');
let broker: Broker | undefined;
beforeAll(async () => {
  if (!mosq.missing) broker = await startMosquitto();
}, 30000);
afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A project made by `tinyiot new`, with tinyiot installed in it as a symlink to this checkout. */
async function project(name: string, template = 'mqtt'): Promise<string> {
  const p = join(dir, name);
  const r = await runCli(['new', p, '--template', template]);
  expect(r.code).toBe(0);
  mkdirSync(join(p, 'node_modules'));
  symlinkSync(ROOT, join(p, 'node_modules', 'tinyiot'));
  return p;
}

const build = (p: string) => runCli(['build', p, '--board', 'espruino-wifi', '--out', out]);

describe('tinyiot new', () => {
  it('writes a project: package.json depending on tinyiot, tsconfig, src/main.ts, config.example.json, README', async () => {
    const p = join(dir, 'fresh');
    const r = await runCli(['new', p]);
    expect(r.code).toBe(0);
    for (const f of ['package.json', 'tsconfig.json', 'src/main.ts', 'config.example.json', 'README.md', '.gitignore']) expect(existsSync(join(p, f))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(p, 'package.json'), 'utf8')) as { name: string; devDependencies: Record<string, string> };
    expect(pkg.name).toBe('fresh');
    expect(pkg.devDependencies.tinyiot).toMatch(/^\^\d+\.\d+\.\d+$/);
    expect(readFileSync(join(p, 'src/main.ts'), 'utf8')).toContain("from 'tinyiot/firmware/mqtt/client'");
    expect(readFileSync(join(p, 'README.md'), 'utf8')).toContain('npx tinyiot build . --board espruino-wifi');
    // The API guide it links ships in the package (package.json "files" holds docs/).
    expect(readFileSync(join(p, 'README.md'), 'utf8')).toContain('(node_modules/tinyiot/docs/api.md)');
    expect(existsSync(join(ROOT, 'docs', 'api.md'))).toBe(true);
  });

  it('refuses a folder that is not empty, and an unknown template, as usage mistakes (exit 2)', async () => {
    const p = join(dir, 'taken');
    mkdirSync(p);
    writeFileSync(join(p, 'notes.txt'), 'mine');
    const r = await runCli(['new', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tinyiot new: .*taken is not empty: give a new or empty folder/);
    expect(readFileSync(join(p, 'notes.txt'), 'utf8')).toBe('mine');
    const t = await runCli(['new', join(dir, 'x'), '--template', 'zigbee']);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain("--template must be one of mqtt, iothub (got 'zigbee')");
    expect((await runCli(['new'])).code).toBe(2);
  });

  it.each(['mqtt', 'iothub'])('%s: the project type-checks with its own tsconfig and tinyiot installed, and builds for espruino-wifi', async (template) => {
    const p = await project(`proj-${template}`, template);
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', p], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const r = await build(p);
    expect(r.stderr).not.toContain('failed');
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'espruino-wifi', `proj-${template}.js`))).toBe(true);
  }, 180000);
});

describe('a new project in the simulator', () => {
  it.skipIf(mosq.missing)('the mqtt template runs against mosquitto and publishes its counter', async () => {
    const p = await project('proj-sim');
    const peer = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker!.port}`, { clientId: 'new-sim-peer' });
    const got: string[] = [];
    peer.on('message', (_t, m) => got.push(m.toString()));
    // The template's config.example.json: topic tinyiot/my-device
    await peer.subscribeAsync('tinyiot/my-device/state', { qos: 1 });
    try {
      const r = await runCli(['sim', p, '--broker', `mqtt://127.0.0.1:${broker!.port}`, '--until', 'message', '--duration', '120', '--out', out]);
      expect(r.stderr).toContain(`firmware info: connected to 127.0.0.1`);
      expect(r.code).toBe(0);
      await until(() => got.length > 0, 'the counter at the peer', 30000);
      expect(got[0]).toMatch(/^\{"count":\d+,"led":(true|false)\}$/);
    } finally {
      await peer.endAsync();
    }
  }, 180000);
});

describe('an app of the user\'s own: mistakes at its own file:line:col', () => {
  const app = (name: string, main: string, files: Record<string, string> = {}): string => {
    const p = join(dir, name);
    mkdirSync(p);
    writeFileSync(join(p, 'main.ts'), main);
    for (const [f, text] of Object.entries(files)) writeFileSync(join(p, f), text);
    return p;
  };

  it('a type error fails the build with TypeScript\'s message', async () => {
    const p = app('typo', "import type { Hal } from 'tinyiot/hal/types';\nexport function main(hal: Hal): void {\n  let count: number = \"zero\";\n  hal.log.info('n ' + count);\n}\n");
    const r = await build(p);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(p, 'main.ts')}:3:7: error TS2322: Type 'string' is not assignable to type 'number'.`);
  }, 60000);

  it('a main.ts without a main function is named before anything is bundled', async () => {
    const p = app('nomain', 'export function start(): void {}\n');
    const r = await build(p);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(p, 'main.ts')} does not export a function main(hal, cfg)`);
    expect(r.stderr).not.toContain('bundling');
  }, 60000);

  it('what is not ES5 is named in the source, not in the bundle, when the project\'s lib lets it type-check', async () => {
    const tsconfig = JSON.stringify({ compilerOptions: { target: 'ES2020', lib: ['ES2020'], module: 'ESNext', moduleResolution: 'Bundler', strict: true } });
    const p = app('modern', "import type { Hal } from 'tinyiot/hal/types';\n\nexport function main(hal: Hal): void {\n  const o = Object.assign({}, { a: 1 });\n  hal.log.info('a ' + o.a);\n}\n", { 'tsconfig.json': tsconfig });
    const r = await build(p);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`not plain ES5:\n  ${join(p, 'main.ts')}:4:13: uses Object.assign (not in ES5)`);
    expect(r.stderr).not.toMatch(/tinyiot-entry-|bundle\.js/);
  }, 60000);

  it('without config.example.json the start-up check says it runs main() with {}', async () => {
    const p = app('bare', "import type { Hal } from 'tinyiot/hal/types';\nexport function main(hal: Hal): void {\n  hal.log.info('up');\n}\n");
    const r = await build(p);
    expect(r.stderr).toContain(`${join(p, 'config.example.json')} not found: the start-up check runs main() with the config {} (give one with --config)`);
    expect(r.code).toBe(0);
  }, 60000);
});

describe('an app of the user\'s own that throws while starting', () => {
  it('names its own file and line, never the bundle or a temporary entry', async () => {
    const p = join(dir, 'thrower');
    mkdirSync(p);
    writeFileSync(join(p, 'config.example.json'), '{}');
    writeFileSync(join(p, 'main.ts'), "import type { Hal } from 'tinyiot/hal/types';\n\nfunction check(n: number): void {\n  if (n > 0) throw new Error('sensor missing');\n}\n\nexport function main(hal: Hal): void {\n  hal.log.info('up');\n  check(1);\n}\n");
    const r = await build(p);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('main() did not start: Error: sensor missing');
    expect(r.stderr).toContain(`(${join(p, 'main.ts')}:4:`);
    expect(r.stderr).toContain(`(${join(p, 'main.ts')}:9:3)`);
    expect(r.stderr).not.toMatch(/tinyiot-entry-|bundle\.js|tinyiot\.js/);
  }, 90000);
});

describe('an app of the user\'s own that throws later, in the simulator', () => {
  it('quickjs: the firmware error names its own file and line', async () => {
    const p = join(dir, 'late');
    mkdirSync(p);
    writeFileSync(join(p, 'config.example.json'), '{"host": "127.0.0.1", "tls": false}');
    writeFileSync(join(p, 'main.ts'), "import type { Hal } from 'tinyiot/hal/types';\n\nexport function main(hal: Hal): void {\n  hal.clock.setTimer(100, () => {\n    throw new Error('late failure');\n  });\n}\n");
    const r = await runCli(['sim', p, '--engine', 'quickjs', '--broker', 'mqtt://127.0.0.1:1', '--duration', '10', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`tinyiot sim: the firmware failed: Error: late failure [at <anonymous> (${join(p, 'main.ts')}:5:`);
  }, 90000);
});
