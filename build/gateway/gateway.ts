// `startGateway`: the protocol gateway. Devices connect over MQTT 3.1.1 (TCP, TLS, or a serial
// line); each is authenticated against the gateway's own registry (registry.ts) and gets one
// connection of its own to IoT Hub (upstream.ts). Its topics are mapped by its profile
// (profiles.ts); its telemetry goes through the durable journal (journal.ts) and is PUBACKed once
// written there, then sent upstream in order, kept until IoT Hub acknowledges it, across hub
// outages and gateway restarts. Messages from IoT Hub reach the device at the QoS it subscribed
// with, and are acknowledged upstream only once the device has acknowledged them.
import { EventEmitter } from 'node:events';
import type { AddressInfo, Server, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import type { IConnectPacket, IPublishPacket } from 'mqtt-packet';
import { escapeText } from '../../firmware/iothub/ids.js';
import { topicMatches } from '../hub/acl.js';
import { Admission } from '../hub/admission.js';
import { authenticate } from '../hub/auth.js';
import { ensureCerts } from '../hub/ca.js';
import { secureDataDir } from '../hub/files.js';
import { connLimits } from '../hub/limits.js';
import { claimDataDir, releaseDataDir } from '../hub/lock.js';
import { DEFAULT_JOURNAL_LIMITS, Journal } from './journal.js';
import { DEFAULT_TOPICS, type Profile, profile } from './profiles.js';
import { type GatewayDevice, GatewayRegistry, upstreamOf } from './registry.js';
import { openSerialLine, type SerialLine } from './serial.js';
import { DEFAULT_SESSION_LIMITS, type Line, Session, type SessionHost, socketLine } from './session.js';
import { Upstream } from './upstream.js';
import { type GatewayOptions, STATUS_TOPIC, UPSTREAM_WAIT_MS } from './options.js';

export { type GatewayOptions, STATUS_TOPIC };

export class Gateway extends EventEmitter implements SessionHost {
  port = 0;
  caPem?: string;
  readonly registry: GatewayRegistry;
  readonly journal: Journal;
  private readonly sessions = new Map<string, Session>();
  private readonly upstreams = new Map<string, Upstream>();
  private readonly profiles = new WeakMap<Session, Profile>();
  /** Messages from IoT Hub handed to a session and not yet acknowledged by the device. */
  private readonly unacked = new WeakMap<Session, Set<() => void>>();
  private readonly servers: Server[] = [];
  private readonly serialLines: SerialLine[] = [];
  private readonly admission: Admission;
  private stopping = false;

  constructor(readonly dataDir: string, private readonly opts: GatewayOptions) {
    super();
    if (opts.log) this.on('log', opts.log);
    this.registry = new GatewayRegistry(dataDir);
    this.journal = new Journal(join(dataDir, 'journal.log'), { ...DEFAULT_JOURNAL_LIMITS, ...opts.journal }, (l) => this.log(l));
    // A limit left undefined (a flag not given) keeps its default.
    const given = Object.entries(opts.connections ?? {}).filter(([, v]) => v !== undefined);
    this.admission = new Admission(connLimits(Object.fromEntries(given)), (l) => this.log(l));
  }

  /** Device-supplied text (client ids, topics) is escaped so it cannot forge log lines. */
  log(line: string): void {
    this.emit('log', escapeText(line));
  }

  connected(deviceId: string): boolean {
    return !!this.sessions.get(deviceId)?.open;
  }

  /** @internal (startGateway) */
  async listen(): Promise<void> {
    const tls = this.opts.tls ?? 'self';
    let certs: { cert: string; key: string } | undefined;
    if (tls === 'self') {
      const made = await ensureCerts(this.dataDir, (l) => this.log(l));
      this.caPem = made.caPem;
      certs = made;
    } else if (tls) certs = tls;
    const server = this.admission.server(certs, (s: Socket) => (this.stopping ? s.destroy() : this.attach(socketLine(s))));
    this.servers.push(server);
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(this.opts.port ?? (certs ? 8883 : 1883), this.opts.host ?? '127.0.0.1', ok));
    this.port = (server.address() as AddressInfo).port;
    for (const s of this.opts.serial ?? []) this.serialLines.push(await openSerialLine(s.path, s.baudRate, (line) => this.attach(line), (l) => this.log(l)));
    // Telemetry stored before a restart goes up again now, without waiting for its device.
    for (const id of this.journal.devicesWithPending()) {
      const d = this.registry.get(id);
      if (d && !d.passthrough) this.upstreamFor(d);
      else if (!d) this.log(`${id}: ${this.journal.pending(id).length} stored message(s) kept for a device no longer registered`);
    }
    secureDataDir(this.dataDir);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const s of [...this.sessions.values()]) s.close('gateway stopping');
    for (const u of this.upstreams.values()) u.end();
    this.upstreams.clear();
    for (const l of this.serialLines) await l.close();
    const cut = setTimeout(() => this.admission.sockets.forEach((s) => s.destroy()), 2000);
    await Promise.all(this.servers.map((s) => new Promise((r) => s.close(r))));
    clearTimeout(cut);
    this.journal.close();
    releaseDataDir(this.dataDir);
  }

  private attach(line: Line): Session {
    return new Session(line, this, { ...DEFAULT_SESSION_LIMITS, ...this.opts.session });
  }

  private upstreamFor(d: GatewayDevice, will?: { topic: string; payload: Buffer }): Upstream {
    let up = this.upstreams.get(d.deviceId);
    if (up) return up;
    const options = { hub: this.opts.hub, ca: this.opts.hubCa, tokenTtlS: this.opts.tokenTtlS ?? 3600, will, log: (l: string) => this.log(l), drained: () => this.release(d.deviceId) };
    up = new Upstream(d, this.journal, options, (t, p, done) => this.downlink(d.deviceId, t, p, done));
    this.upstreams.set(d.deviceId, up);
    return up;
  }

  /** Ends the device's upstream connection once nothing of it is left to send and it is gone. */
  private release(deviceId: string): void {
    const up = this.upstreams.get(deviceId);
    if (!up || this.sessions.has(deviceId) || this.journal.pending(deviceId).length) return;
    up.end();
    this.upstreams.delete(deviceId);
  }

  async connect(s: Session, p: IConnectPacket): Promise<number> {
    try {
      return await this.admit(s, p);
    } catch (e) {
      return this.refuse(p.clientId, 3, (e as Error).message);
    }
  }

  private async admit(s: Session, p: IConnectPacket): Promise<number> {
    const id = p.clientId;
    const d = this.registry.get(id);
    if (!d) return this.refuse(id, 4, 'unknown device');
    let up: Upstream;
    const will = p.will && this.profileOf(d).fromDevice(id, p.will.topic);
    const upWill = will?.kind === 'telemetry' ? { topic: will.topic, payload: Buffer.from(p.will!.payload) } : undefined;
    if (d.passthrough) {
      if (!p.username || !p.password) return this.refuse(id, 4, 'passthrough needs the device\'s user name and SAS token');
      this.upstreams.get(id)?.end();
      up = new Upstream(d, this.journal, { hub: this.opts.hub, ca: this.opts.hubCa, tokenTtlS: 0, credentials: { username: p.username, password: p.password }, will: upWill, log: (l) => this.log(l) }, (t, b, done) => this.downlink(id, t, b, done));
      this.upstreams.set(id, up);
      const rc = await up.firstConnack(UPSTREAM_WAIT_MS);
      if (rc) {
        up.end();
        this.upstreams.delete(id);
        return this.refuse(id, rc, 'IoT Hub refused its token');
      }
    } else {
      const password = p.password?.toString('utf8') ?? '';
      const sas = password.startsWith('SharedAccessSignature ');
      const ok = sas ? this.sasMatches(d, p) : this.registry.secretMatches(d, password);
      if (!ok) return this.refuse(id, 5, sas ? 'SAS token not valid for its key' : 'wrong LAN secret');
      const fresh = !this.upstreams.has(id);
      up = this.upstreamFor(d, upWill);
      // A new upstream connection gets a moment to come up, so that the device's first requests
      // (a twin GET right after CONNACK) find it; a hub that is away does not keep the device out.
      const rc = fresh && !up.connected ? await up.firstConnack(UPSTREAM_WAIT_MS) : 0;
      if (rc === 4 || rc === 5) {
        this.release(id);
        return this.refuse(id, 5, `IoT Hub refused the gateway's token for it (CONNACK ${rc}): check its connection string`);
      }
    }
    // The device may have gone while IoT Hub was answering.
    if (s.ended || this.stopping) {
      this.release(id);
      return 3;
    }
    // A passed-through token cannot be renewed here: when IoT Hub drops that connection the
    // device is let go too, and connects again with a fresh token.
    if (d.passthrough) up.client.once('close', () => this.sessions.get(id) === s && s.close('IoT Hub closed its connection (token passed through)'));
    // The new session is the device's before the old one closes, so that closing the old one
    // leaves the upstream connection to the new.
    const old = this.sessions.get(id);
    this.sessions.set(id, s);
    old?.close('replaced by a new connection of the same device');
    this.profiles.set(s, this.profileOf(d));
    this.unacked.set(s, new Set());
    this.log(`connected ${id} (${d.profile} profile${d.passthrough ? ', token passed through' : ''})`);
    this.emit('connected', { deviceId: id });
    return 0;
  }

  publish(s: Session, p: IPublishPacket, ack: () => void): boolean {
    const prof = this.profiles.get(s)!;
    const out = prof.fromDevice(s.deviceId, p.topic);
    if (!out) return false;
    const up = this.upstreams.get(s.deviceId);
    const body = Buffer.isBuffer(p.payload) ? p.payload : Buffer.from(p.payload);
    if (out.kind === 'request') {
      if (!up?.request(out.topic, body)) this.log(`${s.deviceId}: request to '${out.topic}' dropped: IoT Hub is not connected`);
      ack();
      return true;
    }
    const stored = this.journal.append(s.deviceId, out.topic, body, p.retain, p.qos > 0, (_m, err) => err || ack());
    if (stored === 'full') {
      this.log(`${s.deviceId}: store full (${this.journal.limits.maxMessagesPerDevice} messages / ${this.journal.limits.maxBytesPerDevice} bytes): message not acknowledged`);
      this.status(s, 'store full: message not acknowledged, send it again later');
      return true;
    }
    up?.forward(stored);
    return true;
  }

  subscribe(s: Session, filter: string, qos: 0 | 1 | 2): number {
    if (topicMatches(filter, STATUS_TOPIC)) return qos;
    const filters = this.profiles.get(s)!.upstreamFilters(s.deviceId, filter);
    if (!filters) return 0x80;
    this.upstreams.get(s.deviceId)?.subscribe(filters);
    return qos;
  }

  unsubscribe(): void {
    // Upstream subscriptions stay until the device goes: another of its filters may need them.
  }

  delivered(_s: Session, token: unknown): void {
    (token as () => void)();
  }

  closed(s: Session, reason: string, clean: boolean): void {
    const id = s.deviceId;
    const up = this.upstreams.get(id);
    const pendingDownlinks = this.unacked.get(s)?.size ?? 0;
    if (this.sessions.get(id) !== s) {
      // Refused, or replaced: messages from IoT Hub it did not acknowledge come again.
      if (up && pendingDownlinks && !up.device.passthrough) up.abort();
      return void (reason.startsWith('refused') || this.log(`closed ${id}: ${reason}`));
    }
    this.sessions.delete(id);
    this.log(`disconnected ${id}: ${reason}`);
    this.emit('disconnected', { deviceId: id, reason });
    const will = s.will && !clean ? this.profiles.get(s)!.fromDevice(id, s.will.topic) : null;
    if (up && will?.kind === 'telemetry' && up.hasWill && up.connected) {
      // IoT Hub sends the will itself (marked as a will) when the upstream connection drops.
      this.log(`${id}: abnormal disconnect, its will goes to IoT Hub`);
      up.abort();
    } else {
      // Given to IoT Hub as plain telemetry: this upstream connection was made without it.
      if (will?.kind === 'telemetry') this.journal.append(id, will.topic, Buffer.from(s.will!.payload), false, true, () => {});
      if (up && pendingDownlinks) up.abort(); // unacknowledged messages from IoT Hub come again
    }
    if (up?.device.passthrough) {
      up.end();
      this.upstreams.delete(id);
    } else {
      for (const m of this.journal.pending(id)) up?.forward(m);
      this.release(id);
    }
  }

  private downlink(deviceId: string, topic: string, payload: Buffer, done: () => void): void {
    const s = this.sessions.get(deviceId);
    const prof = s && this.profiles.get(s);
    const local = prof?.toDevice(deviceId, topic);
    if (!s || !s.open || local == null) return done();
    let qos = -1;
    for (const [f, q] of s.subs) if (q > qos && topicMatches(f, local)) qos = q;
    if (qos < 0) return done();
    const pending = this.unacked.get(s)!;
    const ack = () => {
      pending.delete(ack);
      done();
    };
    pending.add(ack);
    s.send(local, payload, qos as 0 | 1 | 2, ack);
  }

  /** A status line to a device subscribed to STATUS_TOPIC. */
  private status(s: Session, text: string): void {
    if ([...s.subs.keys()].some((f) => topicMatches(f, STATUS_TOPIC))) s.send(STATUS_TOPIC, Buffer.from(text), 0);
  }

  private profileOf(d: GatewayDevice): Profile {
    return profile(d.profile, this.opts.topics ?? DEFAULT_TOPICS);
  }

  private sasMatches(d: GatewayDevice, p: IConnectPacket): boolean {
    if (d.passthrough) return false;
    const cs = upstreamOf(d);
    const r = authenticate({ hubName: cs.hostName, clientId: p.clientId, username: p.username, password: p.password, now: Math.floor(Date.now() / 1000), keyOf: (id) => (id === d.deviceId ? cs.sharedAccessKey : undefined) });
    if (!r.ok) this.log(`${d.deviceId}: ${r.reason}`);
    return r.ok;
  }

  private refuse(deviceId: string, rc: number, why: string): number {
    this.log(`refused '${deviceId}' (CONNACK ${rc}): ${why}`);
    return rc;
  }
}

/** Starts the gateway; refuses a data folder another running gateway (or hub) uses. */
export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const dataDir = resolve(opts.dataDir);
  secureDataDir(dataDir);
  try {
    claimDataDir(dataDir);
  } catch (e) {
    throw new Error(`${dataDir} is in use by another gateway or hub (${(e as Error).message})`);
  }
  let gw: Gateway | undefined;
  try {
    gw = new Gateway(dataDir, opts);
    await gw.listen();
    return gw;
  } catch (e) {
    if (gw) await gw.stop();
    else releaseDataDir(dataDir);
    throw e;
  }
}
