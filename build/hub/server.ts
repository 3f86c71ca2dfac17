// `startHub`: a development broker that behaves like Azure IoT Hub toward devices (docs/iothub.md):
// SAS-authenticated MQTT 3.1.1 over TLS with its own CA, per-device topics only, twins with
// versions, direct methods, a persisted cloud-to-device queue, and a loopback HTTP API for the
// service side (http.ts). The data folder keeps identities, certificates, twins and the queue.
// Everything a device or a service caller sends is checked when it arrives (c2d.ts, twin.ts,
// acl.ts, limits.ts); an exception while serving one connection closes that connection only.
import { EventEmitter } from 'node:events';
import { rmSync } from 'node:fs';
import type { AddressInfo, Server, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import type { IConnectPacket, IPublishPacket } from 'mqtt-packet';
import { escapeText } from '../../firmware/iothub/ids.js';
import type { PropertyBag } from '../../firmware/iothub/propbag.js';
import { classifyPublish, deviceProperties, subscribeAllowed, topicMatches } from './acl.js';
import { Admission } from './admission.js';
import { authenticate } from './auth.js';
import { C2dQueue, c2dTopic, type C2dMessage } from './c2d.js';
import { ensureCerts } from './ca.js';
import { type ConnHost, DeviceConn, type HubClock, realTime } from './conn.js';
import { secureDataDir, undoNewFiles, writeJson } from './files.js';
import { type ConnLimits, connLimits } from './limits.js';
import { claimDataDir, releaseDataDir } from './lock.js';
import { startHttpApi } from './http.js';
import { MethodCalls, MethodError, type MethodResult, methodNameError } from './methods.js';
import { DEFAULT_HUB_NAME, DeviceError, type HubInfo, type HubOptions, isLoopback, type TelemetryEvent } from './options.js';
import { Registry } from './registry.js';
import { ensureServiceKey } from './servicekey.js';
import { TwinStore, type TwinDoc } from './twin.js';

export { DEFAULT_HUB_NAME, DeviceError, type HubInfo, type HubOptions, isLoopback, type TelemetryEvent };

export class Hub extends EventEmitter {
  port = 0;
  httpPort = 0;
  caPem?: string;
  caPath?: string;
  readonly registry: Registry;
  readonly twins: TwinStore;
  readonly c2d: C2dQueue;
  readonly limits: ConnLimits;
  /** The service API's key (servicekey.ts); never printed. */
  readonly serviceKey: string;
  private readonly conns = new Map<string, DeviceConn>();
  private readonly admission: Admission;
  private stopping = false;
  private readonly c2dInflight = new WeakMap<DeviceConn, Map<number, string>>();
  private readonly methods = new MethodCalls();
  private readonly servers: Server[] = [];
  private sweep?: NodeJS.Timeout;
  private readonly early: string[] = [];

  readonly hubName: string;
  readonly host: string;
  readonly tls: boolean;
  private readonly clock: HubClock;

  /** `opts.log` hears the hub's log from the start (a queue file checked while loading). */
  constructor(readonly dataDir: string, opts: Omit<HubOptions, 'dataDir' | 'port' | 'httpPort'> = {}) {
    super();
    if (opts.log) this.on('log', opts.log);
    this.hubName = opts.hubName ?? DEFAULT_HUB_NAME;
    this.host = opts.host ?? '127.0.0.1';
    this.tls = opts.tls ?? true;
    const clock = (this.clock = opts.clock ?? realTime);
    this.limits = connLimits(opts.limits);
    this.admission = new Admission(this.limits, (l) => this.log(l));
    this.serviceKey = ensureServiceKey(dataDir);
    this.registry = new Registry(dataDir);
    this.twins = new TwinStore(join(dataDir, 'twins.json'));
    this.c2d = new C2dQueue(join(dataDir, 'c2d.json'), {
      ttlMs: opts.c2dTtlMs,
      now: () => clock.now(),
      onExpired: (d, m) => this.log(`c2d ${d}: message ${m.mid} expired unacknowledged (${this.c2d.expired} so far)`),
      onInvalid: (d, why) => this.log(`c2d ${d}: dropped a stored message that cannot be sent: ${why}`),
    });
  }

  /** Device-supplied text (client ids, hub names) is escaped so it cannot forge log lines. */
  log(line: string): void {
    this.emit('log', escapeText(line));
  }

  /** Lines from startHub() itself (a remade certificate) come before anyone can listen: they wait
   * for the first 'log' listener. */
  private startupLog(line: string): void {
    if (this.listenerCount('log')) return this.log(line);
    if (this.early.push(escapeText(line)) > 1) return;
    const flush = (ev: string) => {
      if (ev !== 'log') return;
      this.off('newListener', flush);
      queueMicrotask(() => this.early.splice(0).forEach((l) => this.emit('log', l)));
    };
    this.on('newListener', flush);
  }

  connected(deviceId: string): boolean {
    return this.conns.has(deviceId);
  }

  /** Throws DeviceError for an id not in the registry. */
  device(deviceId: string): string {
    if (!this.registry.get(deviceId)) throw new DeviceError(`unknown device '${deviceId}'`);
    return deviceId;
  }

  sendC2d(deviceId: string, body: Buffer, props?: Record<string, string>, ttlMs?: number): C2dMessage {
    const m = this.c2d.enqueue(this.device(deviceId), body, props, ttlMs);
    const c = this.conns.get(deviceId);
    if (c) c.guard(() => this.pump(c));
    return m;
  }

  /** Rejects with MethodError 404 (not connected / not subscribed) or 504 (timeout). */
  async invoke(deviceId: string, method: string, payload: unknown, timeoutMs = 30_000): Promise<MethodResult> {
    const c = this.conns.get(this.device(deviceId));
    // The name goes into a topic level unencoded: NUL, '/', '+', '#', '?' or control characters would break it.
    const bad = methodNameError(method);
    if (bad) throw new MethodError(400, bad);
    const topic = (rid: string) => `$iothub/methods/POST/${method}/?$rid=${rid}`;
    if (!c || this.qos(c, topic('0')) < 0) throw new MethodError(404, `device '${deviceId}' is not connected or not subscribed to methods`);
    const call = this.methods.start(deviceId, method, timeoutMs);
    c.guard(() => this.deliver(c, topic(call.rid), JSON.stringify(payload ?? null)));
    return call.result;
  }

  getTwin(deviceId: string): TwinDoc {
    return this.twins.get(this.device(deviceId));
  }

  /** Applies a desired-properties patch and pushes it to the device if it is listening. */
  updateDesired(deviceId: string, patch: unknown): number {
    const { version, body } = this.twins.patchDesired(this.device(deviceId), patch);
    const c = this.conns.get(deviceId);
    if (c) c.guard(() => this.deliver(c, `$iothub/twin/PATCH/properties/desired/?$version=${version}`, JSON.stringify(body)));
    return version;
  }

  /** Drops the identity, its twin and queue, and its connection. */
  removeDevice(deviceId: string): boolean {
    const had = this.registry.remove(deviceId);
    this.twins.delete(deviceId);
    this.c2d.purge(deviceId);
    this.conns.get(deviceId)?.close('device removed from the registry');
    return had;
  }

  async stop(): Promise<void> {
    clearInterval(this.sweep);
    this.methods.cancelAll();
    this.stopping = true;
    for (const c of [...this.conns.values()]) c.close('hub stopping');
    // Open connections get the same grace as DeviceConn.close(); sockets that never sent CONNECT would
    // otherwise hold server.close() until their own timeouts (30 s, or 120 s mid-handshake).
    const cut = setTimeout(() => this.admission.sockets.forEach((s) => s.destroy()), 2000);
    await Promise.all(this.servers.map((s) => new Promise((r) => s.close(r))));
    clearTimeout(cut);
    rmSync(join(this.dataDir, 'hub.json'), { force: true });
    releaseDataDir(this.dataDir);
  }

  /** @internal (startHub) */
  async listen(port: number, httpPort: number): Promise<void> {
    const onSocket = (s: Socket) => (this.stopping ? s.destroy() : new DeviceConn(s, this.connHost, { clock: this.clock, limits: this.limits }));
    const certs = this.tls ? await ensureCerts(this.dataDir, (line) => this.startupLog(line)) : undefined;
    this.caPem = certs?.caPem;
    this.caPath = certs?.caPath;
    const server = this.admission.server(certs && { cert: certs.cert, key: certs.key }, onSocket);
    this.servers.push(server);
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, this.host, ok));
    this.port = (server.address() as AddressInfo).port;
    const http = await startHttpApi(this, httpPort);
    this.servers.push(http);
    this.httpPort = (http.address() as AddressInfo).port;
    this.sweep = setInterval(() => this.c2d.sweep(), 10_000).unref();
    const info: HubInfo = { pid: process.pid, hubName: this.hubName, host: this.host, port: this.port, httpPort: this.httpPort, tls: this.tls };
    if (this.caPath) info.caPath = this.caPath;
    writeJson(join(this.dataDir, 'hub.json'), info);
    // Whatever modes the certificates and the lock were written with, the folder stays its owner's.
    secureDataDir(this.dataDir);
  }

  /** The highest QoS granted to a subscription of `c` that matches `topic`, or -1. */
  private qos(c: DeviceConn, topic: string): number {
    let qos = -1;
    for (const [f, q] of c.subs) if (q > qos && topicMatches(f, topic)) qos = q;
    return qos;
  }

  /** Sends to `c` if one of its subscriptions matches: false if none does, else the QoS 1 packet id. */
  private deliver(c: DeviceConn, topic: string, payload: Buffer | string, dup = false): number | false | undefined {
    const qos = this.qos(c, topic);
    return qos >= 0 && c.send(topic, payload, qos as 0 | 1, dup);
  }

  /** Sends the device's oldest queued message, one at a time, in order. */
  private pump(c: DeviceConn): void {
    const inflight = this.c2dInflight.get(c);
    if (!c.open || !inflight || inflight.size) return;
    const m = this.c2d.pending(c.deviceId)[0];
    if (!m) return;
    const id = this.deliver(c, c2dTopic(c.deviceId, m), Buffer.from(m.body, 'base64'), m.deliveries > 0);
    // Not subscribed to cloud-to-device messages, or closed while sending (over its in-flight limit).
    if (id === false || !c.open) return;
    this.c2d.delivered(c.deviceId, m.mid);
    if (id === undefined) return this.acked(c.deviceId, m.mid); // QoS 0 subscription: sent is done
    inflight.set(id, m.mid);
  }

  private acked(deviceId: string, mid: string): void {
    if (this.c2d.ack(deviceId, mid)) this.emit('c2d-ack', { deviceId, messageId: mid });
    const c = this.conns.get(deviceId);
    if (c) this.pump(c);
  }

  private telemetry(c: DeviceConn, raw: PropertyBag, body: Buffer, marks: { retain?: boolean; will?: boolean }): void {
    const { props, dropped } = deviceProperties(raw, marks);
    if (dropped.length) this.log(`telemetry ${c.deviceId}: left out properties the hub sets itself: ${dropped.join(', ')}`);
    const ev: TelemetryEvent = { deviceId: c.deviceId, props, body, time: new Date(this.clock.now()).toISOString() };
    this.emit('telemetry', ev);
  }

  private request(c: DeviceConn, p: IPublishPacket, kind: 'twin-get' | 'twin-patch', rid: string): void {
    const res = (status: number, extra = '') => `$iothub/twin/res/${status}/?$rid=${encodeURIComponent(rid)}${extra}`;
    if (kind === 'twin-get') return void this.deliver(c, res(200), JSON.stringify(this.twins.get(c.deviceId)));
    let patch: unknown;
    try {
      patch = JSON.parse(p.payload.toString());
      const v = this.twins.patchReported(c.deviceId, patch);
      this.deliver(c, res(204, `&$version=${v}`), '');
      this.emit('reported', { deviceId: c.deviceId, patch, version: v });
    } catch (e) {
      this.log(`twin ${c.deviceId}: reported patch refused: ${(e as Error).message}`);
      this.deliver(c, res(400), JSON.stringify({ message: (e as Error).message }));
    }
  }

  private readonly connHost: ConnHost = {
    connect: (c: DeviceConn, p: IConnectPacket) => {
      const r = authenticate({
        hubName: this.hubName,
        clientId: p.clientId,
        username: p.username,
        password: p.password,
        now: Math.floor(this.clock.now() / 1000),
        keyOf: (id) => this.registry.get(id)?.primaryKey,
      });
      if (!r.ok) {
        this.log(`refused '${p.clientId}' (CONNACK ${r.rc}): ${r.reason}`);
        return r.rc;
      }
      c.deviceId = r.deviceId;
      this.conns.get(r.deviceId)?.close('replaced by a new connection of the same device');
      this.conns.set(r.deviceId, c);
      this.c2dInflight.set(c, new Map());
      c.expireAt(r.expiry);
      this.log(`connected ${r.deviceId}`);
      this.emit('connected', { deviceId: r.deviceId });
      return 0;
    },
    publish: (c, p) => {
      const r = classifyPublish(c.deviceId, p.topic);
      if (!r) return false;
      const body = Buffer.isBuffer(p.payload) ? p.payload : Buffer.from(p.payload);
      if (r.kind === 'telemetry') this.telemetry(c, r.props, body, { retain: p.retain });
      else if (r.kind === 'method-res') this.methods.answer(c.deviceId, r.rid, r.status, body);
      else this.request(c, p, r.kind, r.rid);
      return true;
    },
    subscribeAllowed: (c, filter) => subscribeAllowed(c.deviceId, filter),
    subscribed: (c) => this.pump(c),
    puback: (c, id) => {
      const inflight = this.c2dInflight.get(c);
      const mid = inflight?.get(id);
      if (mid === undefined) return;
      inflight!.delete(id);
      this.acked(c.deviceId, mid);
    },
    closed: (c, reason, clean) => {
      if (this.conns.get(c.deviceId) === c) this.conns.delete(c.deviceId);
      this.log(`disconnected ${c.deviceId}: ${reason}`);
      this.emit('disconnected', { deviceId: c.deviceId, reason });
      const w = c.will;
      const r = !clean && w ? classifyPublish(c.deviceId, w.topic) : null;
      // A will on the telemetry topic arrives as telemetry, marked as IoT Hub marks it.
      if (w && r?.kind === 'telemetry') this.telemetry(c, r.props, Buffer.from(w.payload), { will: true });
    },
  };
}

/** Starts the hub; refuses a data folder that another running hub uses. */
export async function startHub(opts: HubOptions): Promise<Hub> {
  const dataDir = resolve(opts.dataDir);
  const host = opts.host ?? '127.0.0.1';
  if (opts.tls === false && !isLoopback(host)) throw new Error(`plain TCP (no TLS) is only allowed on loopback, not on '${host}'`);
  const undo = undoNewFiles(dataDir);
  secureDataDir(dataDir);
  claimDataDir(dataDir);
  let hub: Hub | undefined;
  try {
    hub = new Hub(dataDir, opts);
    await hub.listen(opts.port ?? 8883, opts.httpPort ?? 0);
    return hub;
  } catch (e) {
    if (hub) await hub.stop();
    else releaseDataDir(dataDir);
    undo();
    throw e;
  }
}
