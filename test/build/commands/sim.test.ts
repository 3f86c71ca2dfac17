import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binary.js';
import { type Broker, startMosquitto } from '../../support/brokers.js';
import { runCli } from '../cliRun.js';

const mosq = requireBinary('mosquitto');
let broker: Broker;
beforeAll(async () => {
  if (!mosq.missing) broker = await startMosquitto();
}, 30000);
afterAll(async () => {
  await broker?.stop();
});

describe('tinyiot sim', () => {
  it.skipIf(mosq.missing)('runs the built mqtt-blink against --broker for --duration seconds', async () => {
    const peer = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'cli-sim-peer' });
    const got: string[] = [];
    peer.on('message', (_t, p) => got.push(p.toString()));
    // config.example.json's topic is tinyiot/blink
    await peer.subscribeAsync('tinyiot/blink/state', { qos: 1 });
    try {
      const r = await runCli(['sim', 'mqtt-blink', '--broker', `mqtt://127.0.0.1:${broker.port}`, '--duration', '4']);
      expect(r.stderr).toContain('firmware info: mqtt-blink: connected to 127.0.0.1');
      expect(r.stderr).toMatch(/sim: stopped; firmware heap \d+ B at its highest/);
      expect(r.code).toBe(0);
      expect(got[0]).toBe('{"n":0,"led":false}');
    } finally {
      await peer.endAsync();
    }
  }, 60000);

  it.each([
    [['sim', '--broker', 'http://x'], /--broker must look like mqtt:\/\/host:port/],
    [['sim', '--hub', 'nonsense'], /--hub must be a device connection string/],
    [['sim', '--duration', '0'], /--duration must be a positive number/],
  ])('%j exits 2', async (args, msg) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(msg);
  });

  it('--hub local: iothub-sensor sends telemetry to a local hub started for the run; no key is printed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyiot-cli-sim-'));
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, '{"interval": 1}');
    try {
      const r = await runCli(['sim', '--hub', 'local', '--config', cfg, '--duration', '4']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('firmware info: iothub-sensor: connected');
      expect(r.stderr).toMatch(/hub: telemetry from sim-device: \{"temperature":[\d.]+,"seq":0\}/);
      expect(r.stderr).not.toMatch(/SharedAccessKey|PRIVATE KEY/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);

  it('refuses a board that cannot run the app, with the reason', async () => {
    const r = await runCli(['sim', 'mqtt-blink', '--board', 'puckjs', '--duration', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('needs a gateway');
  }, 30000);
});
