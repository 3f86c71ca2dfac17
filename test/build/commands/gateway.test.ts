// `tinyiot gateway` as a user runs it: devices added, listed and removed with their secrets kept
// owner-only and never printed; usage mistakes exit 2; the gateway itself run against a local
// hub carries a device's telemetry and stops on SIGINT.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectionString } from '../../../build/hub/registry.js';
import type { Hub, TelemetryEvent } from '../../../build/hub/server.js';
import { startTestHub, tempDir } from '../hub/rig.js';
import { lanDevice } from '../gateway/rig.js';
import { until } from '../../support/wait.js';
import { ROOT, runCli } from '../cliRun.js';

const dir = mkdtempSync(join(tmpdir(), 'tinyiot-gw-cli-'));
const data = join(dir, 'gw');
const csFile = join(dir, 'cs.txt');
const hubTmp = tempDir();
let hub: Hub;

beforeAll(async () => {
  hub = await startTestHub(hubTmp.dir);
  const d = hub.registry.add('cli-1');
  writeFileSync(csFile, connectionString(hub.hubName, d, { host: '127.0.0.1', port: hub.port }) + '\n', { mode: 0o600 });
});
afterAll(async () => {
  await hub.stop();
  hubTmp.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const mode = (p: string) => statSync(p).mode & 0o777;

it('adds a device with its secret in an owner-only file, never printed', async () => {
  const r = await runCli(['gateway', 'device', 'add', 'cli-1', '--connection-string-file', csFile, '--data', data]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const secretPath = /LAN secret is in (\S+)/.exec(r.stdout)![1]!;
  const secret = readFileSync(secretPath, 'utf8').trim();
  expect(secret.length).toBeGreaterThan(30);
  expect(r.stdout).not.toContain(secret);
  expect(r.stdout).not.toContain(hub.registry.get('cli-1')!.primaryKey);
  expect(mode(secretPath)).toBe(0o600);
  expect(mode(join(data, 'secrets'))).toBe(0o700);
  expect(mode(join(data, 'devices.json'))).toBe(0o600);
  // The file keeps only the secret's hash.
  expect(readFileSync(join(data, 'devices.json'), 'utf8')).not.toContain(secret);

  const list = await runCli(['gateway', 'device', 'list', '--json', '--data', data]);
  expect(JSON.parse(list.stdout)).toMatchObject([{ deviceId: 'cli-1', profile: 'default', upstream: 'connection string' }]);
});

it('refuses usage mistakes with exit 2 and an unknown device with exit 1', async () => {
  for (const args of [
    ['device', 'add', 'x'],
    ['device', 'add', 'x', '--passthrough', '--profile', 'odd'],
    ['--hub', 'nohost'],
    ['--cert', 'a.pem'],
    ['--bogus'],
    ['device', 'frob'],
  ]) {
    const r = await runCli(['gateway', ...args, '--data', data]);
    expect(r.code, args.join(' ')).toBe(2);
    expect(r.stderr).toMatch(/^tinyiot gateway: /);
  }
  const gone = await runCli(['gateway', 'device', 'remove', 'nobody', '--data', data]);
  expect(gone.code).toBe(1);
  expect(gone.stderr).toMatch(/unknown device 'nobody'/);
  const dup = await runCli(['gateway', 'device', 'add', 'cli-1', '--passthrough', '--data', data]);
  expect(dup.code).toBe(1);
  expect(dup.stderr).toMatch(/already exists/);
});

it('runs the gateway in front of the hub until SIGINT', async () => {
  const telemetry: TelemetryEvent[] = [];
  hub.on('telemetry', (e: TelemetryEvent) => telemetry.push(e));
  const args = ['gateway', '--data', data, '--port', '0', '--plain-tcp', '--hub-ca', join(hubTmp.dir, 'ca.pem')];
  const p = spawn(process.execPath, [join(ROOT, 'bin/tinyiot.mjs'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (b: Buffer) => (out += b));
  p.stderr.on('data', (b: Buffer) => (out += b));
  const exited = new Promise<number | null>((r) => p.on('close', r));
  await until(() => /listening on mqtt:\/\/127\.0\.0\.1:\d+/.test(out), 'the gateway to listen', 20_000);
  const port = +/listening on mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(out)![1]!;
  const secret = readFileSync(join(data, 'secrets', 'cli-1.secret'), 'utf8').trim();
  // What `tinyiot hub watch` shows: the device's own id and the property from its topic level.
  const watch = runCli(['hub', 'watch', '--json', '--count', '1', '--data', hubTmp.dir]);
  await until(() => hub.listenerCount('telemetry') > 1, 'hub watch to listen');
  const d = lanDevice({ port }, 'cli-1', { password: secret });
  expect(await d.connack()).toBe(0);
  await d.publish('t/via=cli', 'hello');
  await until(() => telemetry.length === 1, 'the telemetry at the hub');
  expect(telemetry[0]!.deviceId).toBe('cli-1');
  const watched = await watch;
  expect(watched.code).toBe(0);
  expect(JSON.parse(watched.stdout)).toMatchObject({ deviceId: 'cli-1', props: { via: 'cli' }, body: 'hello' });
  d.end();
  p.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(out).toContain('gateway stopped');
  expect(out).not.toContain(secret);
});
