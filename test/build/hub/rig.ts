// Test rig for the local hub: a hub on a free port over a temporary data folder, tokens made with
// the firmware's own SAS code, and a raw MQTT device (mqtt-packet over TLS) that shows every
// packet and acknowledges nothing unless told, so tests see exactly what the hub sends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import mqtt, { type IPublishPacket, type Packet } from 'mqtt-packet';
import { deviceResourceUri, sasToken } from '../../../firmware/iothub/sas.js';
import { nodeCrypto } from '../../../hal/emulated/crypto.js';
import { type Hub, type HubOptions, startHub } from '../../../build/hub/server.js';
import { seedHubCerts } from '../../support/hubCerts.js';
import { until } from '../../support/wait.js';

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tinyiot-hub-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A hub on a free port; over TLS it uses this process's certificates (seedHubCerts) unless dataDir has a CA. */
export async function startTestHub(dataDir: string, opts: Partial<HubOptions> = {}): Promise<Hub> {
  if (opts.tls !== false) await seedHubCerts(dataDir);
  return startHub({ dataDir, port: 0, ...opts });
}

export const nowS = () => Math.floor(Date.now() / 1000);

export function token(hub: Hub, deviceId: string, key: string, ttlS = 3600, host = hub.hubName): string {
  return sasToken(nodeCrypto(), deviceResourceUri(host, deviceId), key, nowS() + ttlS);
}

export const username = (hub: Hub, deviceId: string) => `${hub.hubName}/${deviceId}/?api-version=2021-04-12`;

export interface RawDevice {
  packets: Packet[];
  closed: boolean;
  send(p: Packet): void;
  /** Raw bytes, for what mqtt-packet would not generate. */
  write(b: Buffer): void;
  /** The CONNACK return code (waits for it). */
  connack(): Promise<number>;
  /** Waits for the next packet matching `pred` that the test has not taken yet. */
  next<T extends Packet = Packet>(pred: (p: Packet) => boolean, what: string): Promise<T>;
  publishes(): IPublishPacket[];
  waitClosed(): Promise<void>;
  end(): void;
}

export interface RawOptions {
  clientId?: string;
  username?: string;
  password?: string;
  keepalive?: number;
  will?: { topic: string; payload: Buffer };
}

/** next() of a raw device: waits for the next packet in `packets` matching `pred` that no caller has taken yet. */
export function packetTaker(packets: Packet[]): <T extends Packet = Packet>(pred: (p: Packet) => boolean, what: string) => Promise<T> {
  const taken = new Set<Packet>();
  return async <T extends Packet>(pred: (p: Packet) => boolean, what: string) => {
    let hit: Packet | undefined;
    await until(() => !!(hit = packets.find((p) => !taken.has(p) && pred(p))), what);
    taken.add(hit!);
    return hit as T;
  };
}

export const publishesOf = (packets: Packet[]) => packets.filter((p): p is IPublishPacket => p.cmd === 'publish');

/** Connects (over TLS unless the hub runs without) and sends CONNECT for `deviceId` (the registered key signs the token). */
export function rawDevice(hub: Hub, deviceId: string, opts: RawOptions = {}): RawDevice {
  const key = hub.registry.get(deviceId)?.primaryKey ?? 'AAAA';
  const sock = hub.tls ? tlsConnect({ host: '127.0.0.1', port: hub.port, ca: hub.caPem, servername: 'localhost' }) : netConnect(hub.port, '127.0.0.1');
  const parser = mqtt.parser({ protocolVersion: 4 });
  const packets: Packet[] = [];
  const d: RawDevice = {
    packets,
    closed: false,
    send: (p) => sock.write(mqtt.generate(p)),
    write: (b) => sock.write(b),
    connack: async () => {
      const c = await d.next((p) => p.cmd === 'connack', 'CONNACK');
      return (c as { returnCode: number }).returnCode;
    },
    next: packetTaker(packets),
    publishes: () => publishesOf(packets),
    waitClosed: () => until(() => d.closed, 'the hub to close the connection'),
    end: () => sock.destroy(),
  };
  parser.on('packet', (p: Packet) => d.packets.push(p));
  sock.on('data', (b: Buffer) => parser.parse(b));
  sock.on('close', () => (d.closed = true));
  sock.on('error', () => (d.closed = true));
  d.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId: opts.clientId ?? deviceId,
    keepalive: opts.keepalive ?? 60,
    username: opts.username ?? username(hub, deviceId),
    password: Buffer.from(opts.password ?? token(hub, deviceId, key)),
    ...(opts.will ? { will: { ...opts.will, qos: 0 as const, retain: false } } : {}),
  });
  return d;
}

/** A raw device that is connected and subscribed to `filters` (QoS 1). */
export async function subscribedDevice(hub: Hub, deviceId: string, filters: string[], opts: RawOptions = {}): Promise<RawDevice> {
  const d = rawDevice(hub, deviceId, opts);
  if ((await d.connack()) !== 0) throw new Error(`${deviceId} was refused`);
  d.send({ cmd: 'subscribe', messageId: 1, subscriptions: filters.map((topic) => ({ topic, qos: 1 as const })) });
  await d.next((p) => p.cmd === 'suback', 'SUBACK');
  return d;
}
