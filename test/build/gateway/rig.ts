// Test rig for the gateway: a local hub (over TLS, as in test/build/hub/rig.ts), a gateway on a
// free port in front of it, devices registered on both, and a raw MQTT device (mqtt-packet over
// any byte stream: a socket or a serial port) that shows every packet it gets.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Duplex } from 'node:stream';
import mqtt, { type IPublishPacket, type Packet } from 'mqtt-packet';
import { connectionString } from '../../../build/hub/registry.js';
import type { Hub, TelemetryEvent } from '../../../build/hub/server.js';
import { type Gateway, type GatewayOptions, startGateway } from '../../../build/gateway/gateway.js';
import type { AddOptions } from '../../../build/gateway/registry.js';
import { until } from '../../support/wait.js';
import { packetTaker, publishesOf, startTestHub, tempDir } from '../hub/rig.js';

export interface Rig {
  hub: Hub;
  gw: Gateway;
  hubDir: string;
  gwDir: string;
  telemetry: TelemetryEvent[];
  /** Registers `id` on the hub and the gateway; returns its LAN secret. */
  addDevice(id: string, opts?: Omit<AddOptions, 'connectionString' | 'passthrough'> & { passthrough?: boolean }): string;
  /** The device's connection string at the hub (the gateway's upstream credential). */
  hubConnectionString(id: string): string;
  restartHub(): Promise<void>;
  stopHub(): Promise<void>;
  startHub(): Promise<void>;
  restartGateway(opts?: Partial<GatewayOptions>): Promise<void>;
  close(): Promise<void>;
}

/** `seedCerts` puts a ready CA and certificate in the gateway's folder (for tls: 'self'). */
export async function gatewayRig(opts: Partial<GatewayOptions> = {}, seedCerts?: (dir: string) => Promise<void>): Promise<Rig> {
  const hubTmp = tempDir();
  const gwDir = mkdtempSync(join(tmpdir(), 'tinyiot-gw-'));
  await seedCerts?.(gwDir);
  let hub = await startTestHub(hubTmp.dir);
  const telemetry: TelemetryEvent[] = [];
  const listen = (h: Hub) => h.on('telemetry', (ev: TelemetryEvent) => telemetry.push(ev));
  listen(hub);
  const gwOpts = (): GatewayOptions => ({ dataDir: gwDir, port: 0, tls: false, hubCa: hub.caPem, hub: { host: '127.0.0.1', port: hub.port }, ...opts });
  let gw: Gateway | undefined = await startGateway(gwOpts());
  let hubUp = true;
  const rig: Rig = {
    get hub() {
      return hub;
    },
    get gw() {
      return gw!;
    },
    hubDir: hubTmp.dir,
    gwDir,
    telemetry,
    hubConnectionString: (id) => connectionString(hub.hubName, hub.registry.get(id)!, { host: '127.0.0.1', port: hub.port }),
    addDevice(id, o = {}) {
      if (!hub.registry.get(id)) hub.registry.add(id);
      const { secretPath } = gw!.registry.add(id, { profile: o.profile, ...(o.passthrough ? { passthrough: true } : { connectionString: rig.hubConnectionString(id) }) });
      return readFileSync(secretPath, 'utf8').trim();
    },
    async stopHub() {
      await hub.stop();
      hubUp = false;
    },
    async startHub() {
      hub = await startTestHub(hubTmp.dir, { port: hub.port });
      listen(hub);
      hubUp = true;
    },
    async restartHub() {
      await rig.stopHub();
      await rig.startHub();
    },
    async restartGateway(more = {}) {
      await gw!.stop();
      gw = undefined;
      gw = await startGateway({ ...gwOpts(), ...more });
    },
    async close() {
      await gw?.stop();
      if (hubUp) await hub.stop();
      hubTmp.cleanup();
      rmSync(gwDir, { recursive: true, force: true });
    },
  };
  return rig;
}

export interface LanDevice {
  packets: Packet[];
  closed: boolean;
  send(p: Packet): void;
  connack(): Promise<number>;
  next<T extends Packet = Packet>(pred: (p: Packet) => boolean, what: string): Promise<T>;
  publishes(): IPublishPacket[];
  /** Publishes and, at QoS 1, waits for the PUBACK. */
  publish(topic: string, payload: string, qos?: 0 | 1, retain?: boolean): Promise<void>;
  subscribe(filters: string[], qos?: 0 | 1 | 2): Promise<number[]>;
  end(): void;
}

export interface LanOptions {
  password?: string;
  username?: string;
  will?: { topic: string; payload: Buffer };
  keepalive?: number;
  /** Acknowledge every QoS 1 and 2 PUBLISH at once, as a real client does (default true). */
  autoAck?: boolean;
}

let nextId = 1;

/** Where a gateway listens (a Gateway, or the port a `tinyiot gateway` process printed). */
export type GatewayAddress = Pick<Gateway, 'port' | 'caPem'>;

/** TCP to the gateway, or TLS trusting its own CA when it made one. */
function gatewaySocket(gw: GatewayAddress): Duplex {
  return gw.caPem ? tlsConnect({ host: '127.0.0.1', port: gw.port, ca: gw.caPem, servername: 'localhost' }) : netConnect(gw.port, '127.0.0.1');
}

/** A raw device speaking MQTT over `stream` (default: TCP to the gateway); sends CONNECT at once. */
export function lanDevice(target: GatewayAddress | Duplex, clientId: string, opts: LanOptions = {}): LanDevice {
  const stream = target instanceof Duplex ? target : gatewaySocket(target);
  const parser = mqtt.parser({ protocolVersion: 4 });
  const packets: Packet[] = [];
  const d: LanDevice = {
    packets,
    closed: false,
    send: (p) => stream.write(mqtt.generate(p)),
    connack: async () => (await d.next<Packet & { returnCode: number }>((p) => p.cmd === 'connack', 'CONNACK')).returnCode,
    next: packetTaker(packets),
    publishes: () => publishesOf(packets),
    async publish(topic, payload, qos = 1, retain = false) {
      const messageId = nextId++ % 65535 || 1;
      d.send({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain, dup: false, ...(qos ? { messageId } : {}) });
      if (qos) await d.next((p) => p.cmd === 'puback' && p.messageId === messageId, `PUBACK of '${payload}'`);
    },
    async subscribe(filters, qos = 1) {
      const messageId = nextId++ % 65535 || 1;
      d.send({ cmd: 'subscribe', messageId, subscriptions: filters.map((topic) => ({ topic, qos })) });
      const ack = await d.next<Packet & { granted: number[] }>((p) => p.cmd === 'suback' && p.messageId === messageId, 'SUBACK');
      return ack.granted;
    },
    end: () => stream.destroy(),
  };
  parser.on('packet', (p: Packet) => {
    d.packets.push(p);
    if (opts.autoAck === false) return;
    if (p.cmd === 'publish' && p.qos === 1) d.send({ cmd: 'puback', messageId: p.messageId! });
    if (p.cmd === 'publish' && p.qos === 2) d.send({ cmd: 'pubrec', messageId: p.messageId! });
    if (p.cmd === 'pubrel') d.send({ cmd: 'pubcomp', messageId: p.messageId! });
  });
  stream.on('data', (b: Buffer) => parser.parse(b));
  stream.on('close', () => (d.closed = true));
  stream.on('error', () => (d.closed = true));
  d.send({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clean: true,
    clientId,
    keepalive: opts.keepalive ?? 60,
    username: opts.username ?? clientId,
    ...(opts.password !== undefined ? { password: Buffer.from(opts.password) } : {}),
    ...(opts.will ? { will: { ...opts.will, qos: 0 as const, retain: false } } : {}),
  });
  return d;
}
