// Our IoT Hub device (firmware/iothub) against the local hub (build/hub) over real TLS sockets on
// 127.0.0.1: a hub on a free port over a temporary data folder, restartable on the same port and
// folder, and devices on the emulated HAL that trust the hub's generated CA (certificates are
// verified) and record everything that happens to them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HubClock } from '../../build/hub/conn.js';
import { connectionString } from '../../build/hub/registry.js';
import { type Hub, type HubOptions, startHub } from '../../build/hub/server.js';
import { createDevice, type Device, type DeviceOptions } from '../../firmware/iothub/index.js';
import type { Clock, Hal, Transport } from '../../hal/types.js';
import { arrayLog, createEmulatedHal, nodeTransport, type VirtualClock } from '../../hal/emulated/index.js';
import { seedHubCerts } from './hubCerts.js';
import { until } from './wait.js';

/** `p`, or a clear failure if it has not settled within `ms` (real time). */
export function bounded<T>(p: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let tm: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => (tm = setTimeout(() => fail(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(tm));
}

export interface LocalHub {
  hub: Hub;
  dir: string;
  /** Stops the hub; start() brings up a new one on the same port and data folder (registry, CA, queue kept). */
  stop(): Promise<void>;
  start(): Promise<Hub>;
  /** Stops the hub (if running) and deletes its data folder. */
  close(): Promise<void>;
}

export async function localHub(opts: Partial<HubOptions> = {}): Promise<LocalHub> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyiot-it-'));
  if (opts.tls !== false) await seedHubCerts(dir);
  let running = true;
  const h: LocalHub = {
    hub: await startHub({ dataDir: dir, port: 0, tls: true, ...opts }),
    dir,
    async stop() {
      running = false;
      await bounded(h.hub.stop(), 'the hub to stop');
    },
    async start() {
      if (running) throw new Error('the hub is running already');
      h.hub = await bounded(startHub({ dataDir: dir, tls: true, ...opts, port: h.hub.port }), 'the hub to start again');
      running = true;
      return h.hub;
    },
    async close() {
      if (running) await bounded(h.hub.stop(), 'the hub to stop');
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
}

/** The hub's view of a VirtualClock: epoch milliseconds at the same instant the device sees. */
export function hubClockOf(vc: VirtualClock): HubClock {
  return {
    now: () => vc.epoch * 1000 + vc.now(),
    setTimer: (ms, fn) => vc.setTimer(ms, fn),
    clearTimer: (id) => vc.clearTimer(id as number),
  };
}

/** The device's connection string: HostName names the hub, GatewayHostName is where it listens. */
export function deviceConnectionString(hub: Hub, deviceId: string, key?: string): string {
  const d = hub.registry.get(deviceId);
  if (!d) throw new Error(`device '${deviceId}' is not registered`);
  return connectionString(hub.hubName, key ? { ...d, primaryKey: key } : d, { host: '127.0.0.1', port: hub.port });
}

export interface TestDevice {
  dev: Device;
  hal: Hal;
  /** Sockets the device has opened (connection attempts). */
  dials: number;
  connects: number;
  closes: string[];
  errors: string[];
  /** Telemetry sent and not yet acknowledged (or failed). */
  outstanding: number;
  /** Sends telemetry; resolves on PUBACK, rejects with the device's error. */
  send(body: string, props?: Record<string, string>): Promise<void>;
  /** Waits until the device is connected, on its n-th connection or a later one; errors go in the failure. */
  connected(n?: number, ms?: number): Promise<void>;
  end(): void;
}

export interface TestDeviceOptions extends Partial<DeviceOptions> {
  clock?: Clock;
  /** Use this key instead of the registered one (a wrong key). */
  wrongKey?: string;
  /** Connect at once (default true). */
  connect?: boolean;
}

/** A firmware device for `deviceId` on real TLS to the hub, connecting at once unless told not to. */
export function hubDevice(hub: Hub, deviceId: string, opts: TestDeviceOptions = {}): TestDevice {
  const { clock, wrongKey, connect, ...devOpts } = opts;
  const real = nodeTransport();
  const transport: Transport = {
    connect: (o, h) => (t.dials++, real.connect(o, h)),
  };
  const hal = createEmulatedHal({ transport, log: arrayLog(), ...(clock ? { clock } : {}) });
  const dev = createDevice(hal, { connectionString: deviceConnectionString(hub, deviceId, wrongKey), ca: hub.caPem, ...devOpts });
  const t: TestDevice = {
    dev,
    hal,
    dials: 0,
    connects: 0,
    closes: [],
    errors: [],
    outstanding: 0,
    send: (body, props) =>
      new Promise((ok, fail) => {
        t.outstanding++;
        dev.send(body, props, (err) => {
          t.outstanding--;
          if (err) fail(new Error(`telemetry '${body}' failed: ${err}`));
          else ok();
        });
      }),
    async connected(n = 1, ms = 10_000) {
      try {
        await until(() => dev.connected && t.connects >= n, `${deviceId} to make connection #${n}`, ms);
      } catch (e) {
        throw new Error(`${(e as Error).message}; device errors: ${t.errors.join('; ') || 'none'}`);
      }
    },
    end: () => dev.end(),
  };
  dev.on('connect', () => t.connects++);
  dev.on('close', (r) => t.closes.push(r));
  dev.on('error', (m) => t.errors.push(m));
  if (connect !== false) dev.connect();
  return t;
}
