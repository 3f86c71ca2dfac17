// `tinyiot sim` as a user runs it. Every run builds into a temp folder of its own, and waits for
// what it checks with --until and a generous --duration bound, never for a fixed short window.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHub } from '../../../build/hub/local.js';
import { requireBinary } from '../../support/binary.js';
import { type Broker, startMosquitto } from '../../support/brokers.js';
import { requireEspruino } from '../../support/espruino.js';
import { until } from '../../support/wait.js';
import { ROOT, runCli } from '../cliRun.js';

const noEspruino = requireEspruino().missing;
/** Each engine with what differs in its output: the memory line, a refused dial, a start failure's trace. */
const engines = [
  { engine: 'quickjs', missing: false, memory: /sim: stopped; firmware heap \d+ B at its highest/, refused: 'ECONNREFUSED', trace: ' \\[at \\S+ \\(bundle\\.js:1:\\d+\\)\\]' },
  { engine: 'espruino', missing: noEspruino, memory: /sim: stopped; firmware memory \d+ blocks at its highest \(the board has \d+ JsVars\)/, refused: 'Unable to create socket', trace: '' },
].filter((e) => !e.missing);

const BOUND = '120';
const mosq = requireBinary('mosquitto');
let broker: Broker;
const dir = mkdtempSync(join(tmpdir(), 'tinyiot-cli-sim-'));
const out = join(dir, 'out');
beforeAll(async () => {
  if (!mosq.missing) broker = await startMosquitto();
}, 30000);
afterAll(async () => {
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('tinyiot sim', () => {
  it.skipIf(mosq.missing).each(engines)('$engine: runs the built mqtt-blink against --broker until the broker took its first message', async (e) => {
    const peer = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'cli-sim-peer' });
    const got: string[] = [];
    peer.on('message', (_t, p) => got.push(p.toString()));
    // config.example.json's topic is tinyiot/blink
    await peer.subscribeAsync('tinyiot/blink/state', { qos: 1 });
    try {
      const r = await runCli(['sim', 'mqtt-blink', '--engine', e.engine, '--broker', `mqtt://127.0.0.1:${broker.port}`, '--until', 'message', '--duration', BOUND, '--out', out]);
      expect(r.stderr).toContain('firmware info: mqtt-blink: connected to 127.0.0.1');
      expect(r.stderr).toMatch(e.memory);
      expect(r.stderr).not.toContain('tinyiot sim:');
      expect(r.code).toBe(0);
      // The broker acknowledged it, so it is on its way to the subscriber.
      await until(() => got.length > 0, 'the message at the peer', 30000);
      expect(got[0]).toBe('{"n":0,"led":false}');
    } finally {
      await peer.endAsync();
    }
  }, 180000);

  it('--hub local: iothub-sensor sends telemetry to a local hub started for the run; no key is printed', async () => {
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, '{"interval": 1}');
    const r = await runCli(['sim', '--hub', 'local', '--config', cfg, '--until', 'message', '--duration', BOUND, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('firmware info: iothub-sensor: connected');
    expect(r.stderr).toMatch(/hub: telemetry from sim-device: \{"temperature":[\d.]+,"seq":0\}/);
    expect(r.stderr).not.toMatch(/SharedAccessKey|PRIVATE KEY/);
  }, 180000);

  it.each(engines)('$engine: exits 1 with the reason when the device never connected (connection refused), and masks the password', async (e) => {
    const port = await closedPort();
    const r = await runCli(['sim', 'mqtt-blink', '--engine', e.engine, '--broker', `mqtt://me:hunter2@127.0.0.1:${port}`, '--tries', '1', '--duration', BOUND, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^tinyiot sim: the device never connected \\(stopped after 1 failed attempt\\): .*${e.refused}`, 'm'));
    expect(r.stderr).toContain(`against mqtt://me:***@127.0.0.1:${port}`);
    expect(r.stderr).not.toContain('hunter2');
  }, 180000);

  it("the README's local-hub command line shows telemetry: the sensor's first reading goes out once it is connected", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const line = /^tinyiot (sim iothub-sensor --hub local [^#\n]*?)\s*(#.*)?$/m.exec(readme);
    expect(line, 'the README shows sim with --hub local').not.toBeNull();
    const r = await runCli([...line![1]!.split(/\s+/), '--out', out]);
    expect(r.stderr).toMatch(/^hub: telemetry from sim-device: \{"temperature":[\d.]+,"seq":0\}$/m);
    expect(r.code).toBe(0);
  }, 180000);

  it.skipIf(mosq.missing).each(engines)('$engine: --tries 2 against a broker that refuses anonymous clients: says each refusal and when the device tries again, then exits 1 naming it', async (e) => {
    const strict = await startMosquitto({ settings: ['allow_anonymous false'] });
    try {
      const r = await runCli(['sim', 'mqtt-blink', '--engine', e.engine, '--broker', `mqtt://127.0.0.1:${strict.port}`, '--tries', '2', '--duration', BOUND, '--out', out]);
      const why = 'the server refused the connection (CONNACK 5: not authorized)';
      // The board's default backoff: the first retry within 1 s (limits.backoffMin).
      expect(r.stderr).toContain(`sim: attempt 1 failed: ${why}; the device tries again within 1 s\n`);
      expect(r.stderr).toMatch(new RegExp(`^tinyiot sim: the device never connected \\(stopped after 2 failed attempts\\): ${why.replace(/[()]/g, '\\$&')}$`, 'm'));
      expect(r.code).toBe(1);
    } finally {
      await strict.stop();
    }
  }, 180000);

  it("in QuickJS, which verifies certificates, exits 1 naming the certificate problem when the hub's CA was not given, and prints no key", async () => {
    const hubDir = mkdtempSync(join(tmpdir(), 'tinyiot-cli-sim-hub-'));
    const { hub, connectionString } = await openHub(hubDir, 'dev1');
    try {
      const cfg = join(dir, 'hub.json');
      writeFileSync(cfg, JSON.stringify({ connectionString, interval: 1 }));
      const r = await runCli(['sim', 'iothub-sensor', '--engine', 'quickjs', '--config', cfg, '--tries', '1', '--duration', BOUND, '--out', out]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^tinyiot sim: the device never connected \(stopped after 1 failed attempt\): the server's certificate is signed by a CA that is not trusted \(checked against the system's trusted CAs: no --ca given and no "ca" in the config\); give the CA that signed the server's certificate with --ca <file\.pem> or the config's "ca" \[UNABLE_TO_VERIFY_LEAF_SIGNATURE\]$/m,
      );
      const key = /SharedAccessKey=([^;]+)/.exec(connectionString)![1]!;
      expect(r.stderr + r.stdout).not.toContain(key);
    } finally {
      await hub.stop();
      rmSync(hubDir, { recursive: true, force: true });
    }
  }, 180000);

  it.each(engines)('$engine: a config the firmware rejects stops it with one line, not a stack trace', async (e) => {
    const cfg = join(dir, 'empty.json');
    writeFileSync(cfg, '{}');
    const r = await runCli(['sim', 'mqtt-blink', '--engine', e.engine, '--config', cfg, '--duration', BOUND, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^tinyiot sim: the firmware did not start: Error: mqtt-blink: config needs host${e.trace}$`, 'm'));
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }, 180000);

  it.each([
    [['sim', '--duration', '0'], /--duration must be a positive number/],
    [['sim', '--tries', 'x'], /--tries must be a positive number/],
    [['sim', '--fast'], /unknown option '--fast'/],
  ])('%j exits 2 with the usage', async (args, msg) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).toContain('usage: tinyiot sim');
  });

  it.each([
    [['sim', '--hub', 'nonsense'], /^tinyiot sim: --hub: connection string: part 1 is not name=value \(want HostName=\.\.\.;DeviceId=\.\.\.;SharedAccessKey=\.\.\.\)\n$/],
    [['sim', '--hub', 'HostName=h;DeviceId=d;SharedAccessKey=hunter2!'], /^tinyiot sim: --hub: connection string: SharedAccessKey is not valid base64 \(want .*\)\n$/],
    [['sim', '--broker', 'mqtt://u:hunter2@h:99999'], /^tinyiot sim: --broker must look like .* \(got 'mqtt:\/\/u:\*\*\*@h:99999'\)\n/],
    [['sim', 'nope'], /^tinyiot sim: unknown app 'nope' \(apps: .*mqtt-blink.*\)\n$/],
    [['sim', '--board', 'nope'], /^tinyiot sim: unknown board 'nope'/],
    [['sim', '--broker', 'http://x'], /^tinyiot sim: --broker must look like mqtt:\/\/host:port/],
    [['sim', '--until', 'never'], /^tinyiot sim: --until must be one of connected, message \(got 'never'\)\n$/],
    [['sim', '--ca', '/nonexistent.pem'], /^tinyiot sim: --ca \/nonexistent\.pem: cannot read \(no such file\)\n$/],
    [['sim', '--board', 'esp8266'], /^tinyiot sim: board 'esp8266' \(.*\) has no TLS.*Pass --insecure-dev/],
  ])('%j: a bad value is one clear line (exit 2) and never echoes a secret', async (args, msg) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).not.toContain('hunter2');
  });

  it('checks the connection string of --config on the host too', async () => {
    const cfg = join(dir, 'bad-cs.json');
    writeFileSync(cfg, '{"connectionString": "HostName=h;DeviceId=d"}');
    const r = await runCli(['sim', 'iothub-sensor', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tinyiot sim: connectionString in ${cfg}: connection string: missing SharedAccessKey (or x509=true) (want HostName=...;DeviceId=...;SharedAccessKey=...)\n`);
  });

  it.skipIf(mosq.missing)("an AT-modem board runs its own build in QuickJS, the modem played by the host, until the broker took a message", async () => {
    const r = await runCli(['sim', 'mqtt-blink', '--board', 'pico-esp8266', '--engine', 'quickjs', '--broker', `mqtt://127.0.0.1:${broker.port}`, '--until', 'message', '--duration', BOUND, '--out', out]);
    expect(r.stderr).toContain('sim: bundling mqtt-blink for pico-esp8266 (hal at-modem, tls offload');
    expect(r.stderr).toContain('firmware info: mqtt-blink: connected to 127.0.0.1');
    expect(r.code).toBe(0);
  }, 180000);

  it.each(engines)("$engine: refuses exactly what 'tinyiot build' refuses, with the same message", async (e) => {
    const b = await runCli(['build', 'mqtt-blink', '--board', 'esp8266', '--out', out]);
    const s = await runCli(['sim', 'mqtt-blink', '--board', 'esp8266', '--engine', e.engine, '--duration', '1', '--out', out]);
    const failure = (text: string, cmd: string) => text.split('\n').find((l) => l.startsWith(`tinyiot ${cmd}: `))!.slice(`tinyiot ${cmd}: `.length);
    // A board that cannot run the build as asked is a usage mistake for both (exit 2).
    expect(b.code).toBe(2);
    expect(s.code).toBe(2);
    expect(failure(b.stderr, 'build')).toMatch(/^board 'esp8266' .* has no TLS/);
    expect(failure(s.stderr, 'sim')).toBe(failure(b.stderr, 'build'));
  }, 180000);

  it('--budget-jsvars: the board\'s own build fails over it, as in tinyiot build', async () => {
    const r = await runCli(['sim', 'mqtt-blink', '--engine', 'quickjs', '--budget-jsvars', '100', '--duration', '1', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/tinyiot sim: mqtt-blink for emulator failed: over budget:\n {2}estimated \d+ JsVars, over the budget of 100 by \d+/);
  }, 60000);

  it('refuses a board behind a gateway link, which it cannot carry, saying what to do instead (a usage mistake, 2)', async () => {
    const r = await runCli(['sim', 'mqtt-blink', '--board', 'puckjs', '--duration', '1', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/board 'puckjs' \(Puck\.js\) speaks MQTT to tinyiot gateway over its Bluetooth link, which the simulator does not carry/);
  }, 30000);
});
