// `npm run bench -- gateway`: N simulated devices (default 1,000; TINYIOT_GATEWAY_DEVICES sets it)
// through one `tinyiot gateway` process to the local hub (in this process, over TLS). Measures
// the time for all devices to connect (each CONNACK waits for the device's own upstream TLS
// connection), telemetry throughput (QoS 1, PUBACKed after the gateway's durable write, counted
// when the hub has it), the gateway process's memory per connected device (VmRSS growth / N),
// and, with every device publishing while the hub restarts, that none of the messages is lost.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GatewayRegistry } from '../../build/gateway/registry.js';
import { connectionString } from '../../build/hub/registry.js';
import { type Hub, startHub, type TelemetryEvent } from '../../build/hub/server.js';
import { lanDevice, type LanDevice } from '../build/gateway/rig.js';
import { until } from '../support/wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MESSAGES = 5;

const rssKb = (pid: number) => +/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!;
const seconds = (ms: number) => (ms / 1000).toFixed(2);

/** Runs `fn` over `items`, `width` at a time. */
async function inBatches<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += width) await Promise.all(items.slice(i, i + width).map(fn));
}

export async function run(): Promise<void> {
  const n = Number(process.env.TINYIOT_GATEWAY_DEVICES ?? 1000);
  const dir = mkdtempSync(join(tmpdir(), 'tinyiot-gw-bench-'));
  const hubDir = join(dir, 'hub');
  const gwDir = join(dir, 'gw');
  const limits = { maxConnections: n + 50, maxConnectionsPerAddress: n + 50 };
  let hub: Hub = await startHub({ dataDir: hubDir, port: 0, limits });
  const seen = new Set<string>();
  const count = (h: Hub) => h.on('telemetry', (e: TelemetryEvent) => seen.add(`${e.deviceId} ${e.body}`));
  count(hub);
  const ids = Array.from({ length: n }, (_, i) => `bench-${i}`);
  const gwReg = new GatewayRegistry(gwDir);
  const secrets = new Map<string, string>();
  for (const id of ids) {
    const d = hub.registry.add(id);
    const { secretPath } = gwReg.add(id, { connectionString: connectionString(hub.hubName, d, { host: '127.0.0.1', port: hub.port }) });
    secrets.set(id, readFileSync(secretPath, 'utf8').trim());
  }
  const gw = spawn(process.execPath, [join(ROOT, 'bin/tinyiot.mjs'), 'gateway', '--data', gwDir, '--port', '0', '--plain-tcp', '--hub-ca', join(hubDir, 'ca.pem'),
    '--max-connections', String(n + 50), '--max-connections-per-address', String(n + 50)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  gw.stdout.on('data', (b: Buffer) => (out += b));
  gw.stderr.on('data', (b: Buffer) => (out += b));
  const devices: LanDevice[] = [];
  try {
    await until(() => /listening on mqtt:\/\/[^:]+:\d+/.test(out), 'the gateway to listen', 30_000);
    const port = +/listening on mqtt:\/\/[^:]+:(\d+)/.exec(out)![1]!;
    const idleKb = rssKb(gw.pid!);

    let t0 = Date.now();
    await inBatches(ids, 50, async (id) => {
      const d = lanDevice({ port }, id, { password: secrets.get(id)! });
      devices.push(d);
      const rc = await d.connack();
      if (rc) throw new Error(`${id} refused with CONNACK ${rc}`);
    });
    const connectMs = Date.now() - t0;
    await until(() => ids.every((id) => hub.connected(id)), 'every upstream connection at the hub', 60_000);
    const perDeviceKb = (rssKb(gw.pid!) - idleKb) / n;

    t0 = Date.now();
    await inBatches(devices, 100, async (d) => {
      for (let m = 0; m < MESSAGES; m++) await d.publish('t/k=v', `a${m}`);
    });
    await until(() => seen.size === n * MESSAGES, `all ${n * MESSAGES} messages at the hub`, 120_000);
    const rate = (n * MESSAGES) / ((Date.now() - t0) / 1000);

    // Every device publishes while the hub stops and starts again on the same port and folder.
    const during = Promise.all(devices.map(async (d) => {
      for (let m = 0; m < MESSAGES; m++) await d.publish('t', `b${m}`);
    }));
    await hub.stop();
    hub = await startHub({ dataDir: hubDir, port: hub.port, limits });
    count(hub);
    await during;
    t0 = Date.now();
    await until(() => seen.size === 2 * n * MESSAGES, `all ${2 * n * MESSAGES} messages after the hub restart`, 300_000);
    const lost = 2 * n * MESSAGES - seen.size;

    console.log(`devices                       ${n} (each with its own TLS connection to the hub)`);
    console.log(`connect, all devices          ${seconds(connectMs)} s (${(connectMs / n).toFixed(1)} ms a device, 50 at a time)`);
    console.log(`telemetry, QoS 1              ${Math.round(rate)} messages/s (${n * MESSAGES} messages, stored then acknowledged by the hub)`);
    console.log(`gateway memory per device     ${perDeviceKb.toFixed(0)} KB RSS (gateway idle ${Math.round(idleKb / 1024)} MB)`);
    console.log(`across a hub restart          ${n * MESSAGES} sent, ${lost} lost; all in ${seconds(Date.now() - t0)} s after the hub came back`);
  } finally {
    for (const d of devices) d.end();
    gw.kill('SIGINT');
    await new Promise((r) => gw.once('close', r));
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
