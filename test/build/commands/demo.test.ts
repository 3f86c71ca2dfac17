import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openHub } from '../../../build/hub/local.js';
import { devicePath, hubApi } from '../../../build/hub/service.js';
import { seedHubCerts } from '../../support/hubCerts.js';
import { requireEspruino } from '../../support/espruino.js';
import { ROOT, runCli } from '../cliRun.js';

/** The demo on each engine found: its build folder, and what the connected check says of TLS. */
const engines = [
  { engine: 'espruino', missing: requireEspruino().missing, board: 'emulator.espruino', tls: "(Espruino's TLS does not verify the hub's certificate)" },
  { engine: 'quickjs', missing: false, board: 'emulator', tls: "with the hub's certificate verified" },
].filter((e) => !e.missing);

const dirs: string[] = [];
const children: ChildProcess[] = [];
/** A data folder holding this process's hub certificates, so each demo skips making RSA keys. */
async function tempDir(): Promise<string> {
  const d = mkdtempSync(join(tmpdir(), 'tinyiot-demo-test-'));
  dirs.push(d);
  await seedHubCerts(d);
  return d;
}
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const deviceKey = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'registry.json'), 'utf8')) as { devices: { deviceId: string; primaryKey: string }[] }).devices.find(
    (d) => d.deviceId === 'demo-device',
  )!.primaryKey;

function expectNoSecrets(text: string, key: string): void {
  expect(key.length).toBeGreaterThan(40);
  expect(text).not.toContain(key);
  expect(text).not.toMatch(/SharedAccessKey=(?!<hidden>)/);
  expect(text).not.toMatch(/SharedAccessSignature|PRIVATE KEY/);
}

describe('tinyiot demo', () => {
  it.each(engines)('$engine: runs hub, simulated device and operator over TLS; all five checks pass; no key is printed', async (e) => {
    const dir = await tempDir();
    const r = await runCli(['demo', '--engine', e.engine, '--data', dir, '--out', join(dir, 'out')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const o = r.stdout;
    expect(o).toMatch(/^\[hub\] +listening on 127\.0\.0\.1:\d+ \(TLS, CA .*ca\.pem\)$/m);
    expect(o).toContain(`[build]     ${join(dir, 'out', e.board, 'iothub-sensor.js')}: `);
    expect(o).toMatch(/\/emulator(\.espruino)?\/iothub-sensor\.js: \d+ B of ES5/);
    expect(o).toContain(`  ✓ connected                   demo-device, MQTT over TLS ${e.tls}`);
    expect(o).toMatch(/^\[device\] +connected$/m);
    expect(o).toMatch(/^\[telemetry\] #3 \{"temperature":[\d.]+,"seq":2\} props: \$\.ct=application\/json \$\.ce=utf-8$/m);
    expect(o).toMatch(/^\[device\] +C2D message: hello from the demo$/m);
    expect(o).toMatch(/^\[c2d\] +sent "hello from the demo" → device acked$/m);
    expect(o).toMatch(/^\[twin\] +desired interval=2 \(version \d+\) → reported interval=2, ac 200 "applied"/m);
    expect(o).toMatch(/^\[method\] +blink \{"times":3\} → 200 \{"blinking":3\}$/m);
    expect(o).toMatch(/^\[led\] +\S+ blinked [3-9] times$/m);
    for (const check of ['connected', 'telemetry flowing', 'C2D delivered', 'desired applied & reported', 'method answered']) {
      expect(o).toMatch(new RegExp(`^  ✓ ${check} `, 'm'));
    }
    expect(o).toMatch(/^ {2}✓ telemetry flowing +([3-9]|\d\d+) messages$/m);
    expect(o).not.toContain('✗');
    expect(o).toMatch(/^demo OK: all 5 checks passed$/m);
    expectNoSecrets(o, deviceKey(dir));

    // The hub really holds what the output claims, and was stopped (hub.json goes with it).
    const twins = JSON.parse(readFileSync(join(dir, 'twins.json'), 'utf8')) as Record<string, { desired: unknown; reported: unknown }>;
    expect(JSON.stringify(twins)).toMatch(/"desired":\{"interval":2\}/);
    expect(JSON.stringify(twins)).toMatch(/"reported":\{"interval":\{"value":2,"ac":200/);
    expect(existsSync(join(dir, 'hub.json'))).toBe(false);
  }, 90_000);

  it('fails naming the step and the reason when a check times out', async () => {
    const dir = await tempDir();
    const r = await runCli(['demo', '--data', dir, '--out', join(dir, 'out'), '--timeout', '0.05']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^demo FAILED at '(connected|telemetry flowing)': timed out after 0\.05 s waiting for /m);
    expect(r.stdout).toMatch(/^ {2}✗ (connected|telemetry flowing) +timed out/m);
    expect(r.stdout).toMatch(/^ {2}- method answered +not run$/m);
    expectNoSecrets(r.stdout + r.stderr, deviceKey(dir));
  }, 90_000);

  it('--keep-running: starts from a known device state, stays up for the hub commands, stops on Ctrl-C (sent twice, as npm run does) with exit 0', async () => {
    const dir = await tempDir();
    // What an earlier run left in the kept folder: an interval set from another terminal and a message never delivered.
    const earlier = await openHub(dir, 'demo-device');
    earlier.hub.updateDesired('demo-device', { interval: 60 });
    earlier.hub.sendC2d('demo-device', Buffer.from('left over'));
    await earlier.hub.stop();
    const p = spawn(process.execPath, [join(ROOT, 'bin/tinyiot.mjs'), 'demo', '--keep-running', '--data', dir, '--out', join(dir, 'out')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(p);
    let out = '';
    let sent = false;
    let stopped = false;
    p.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    const code = await new Promise<number | null>((resolve) => {
      p.on('close', resolve);
      p.stdout.setEncoding('utf8').on('data', (s: string) => {
        out += s;
        if (!sent && out.includes('try from another terminal:')) {
          sent = true;
          // What `tinyiot hub send ... --data DIR` does, through the running hub's service API.
          void hubApi(dir, 'POST', devicePath('demo-device', '/messages'), { body: 'from the test' });
        }
        if (!stopped && /\[device\] +C2D message: from the test/.test(out) && /\[c2d\] +device acked message/.test(out)) {
          stopped = true;
          p.kill('SIGINT');
          p.kill('SIGINT');
        }
      });
    });
    expect(out).toMatch(/^demo OK: all 5 checks passed$/m);
    expect(out).not.toContain('left over');
    expect(out).toMatch(/device connection string: HostName=localhost;DeviceId=demo-device;SharedAccessKey=<hidden>;GatewayHostName=127\.0\.0\.1:\d+$/m);
    expect(out).toContain(`node bin/tinyiot.mjs hub invoke demo-device blink '{"times":5}' --data ${dir}`);
    expect(out).toMatch(/^\[demo\] +stopping the device and the hub$/m);
    expect(code).toBe(0);
    expectNoSecrets(out, deviceKey(dir));
    expect(existsSync(join(dir, 'hub.json'))).toBe(false);
  }, 90_000);

  it('--help describes the flow and the options', async () => {
    const r = await runCli(['demo', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: tinyiot demo \[--engine NAME\] \[--keep-running\] \[--data DIR\]/);
    for (const s of ['iothub-sensor', 'cloud-to-device', 'desired', 'blink', '--engine NAME', 'espruino', 'quickjs', '--keep-running', '--data DIR', '--timeout S', '--out DIR', 'No key is ever printed']) {
      expect(r.stdout).toContain(s);
    }
  });

  it("--board: refuses a board without TLS as 'tinyiot build' refuses it (exit 2), saying which boards can run it", async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tinyiot-demo-esp8266-')), 'out');
    try {
      const b = await runCli(['build', 'iothub-sensor', '--board', 'esp8266', '--out', out]);
      const d = await runCli(['demo', '--engine', 'quickjs', '--board', 'esp8266', '--out', out]);
      for (const r of [b, d]) {
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/board 'esp8266' \(.*\) has no TLS/);
      }
      expect(d.stderr).toMatch(/Run the demo on a board with TLS \(emulator, esp32/);
      expect(d.stderr).not.toContain('esp8266.sim');
    } finally {
      rmSync(dirname(out), { recursive: true, force: true });
    }
  }, 120000);

  it.each([
    [['demo', 'extra'], /unexpected argument 'extra'/],
    [['demo', '--timeout', '0'], /--timeout must be a positive number/],
    [['demo', '--nope'], /unknown option '--nope'/],
  ])('%j exits 2 with the usage', async (args, msg) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).toContain('usage: tinyiot demo');
  });
});
