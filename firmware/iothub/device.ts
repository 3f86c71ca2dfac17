// The IoT Hub device: one MQTT client dressed in the hub's CONNECT fields (docs/iothub.md), SAS renewal,
// and the features (telemetry, c2d, twin, methods), each handed the pieces it needs as parameters
// and answering with a hook (ctx.ts) that sees every message, connect and end().
// This file is the device-only entry: it does not import dps.ts, and an app importing createDevice
// from index.ts loses DPS to tree-shaking as well.
// Subscriptions are made when a feature is first used (onC2d, onMethod, twin calls), so a device
// that never takes cloud-to-device messages leaves them queued at the hub instead of dropping them.
// Registering handlers before connect() puts their SUBSCRIBEs on the wire right after CONNACK,
// ahead of any queued request. A reconnect that finds its hub session gone subscribes again.
import type { Hal } from '../../hal/types.js';
import { createClient } from '../mqtt/client.js';
import { type Limits, withLimits } from '../mqtt/limits.js';
import { renewer } from './auth.js';
import { c2d } from './c2d.js';
import { type ConnectionString, isBase64, parseConnectionString } from './connstr.js';
import type { Hook } from './ctx.js';
import { idError } from './ids.js';
import { methods } from './methods.js';
import { deviceResourceUri } from './sas.js';
import { telemetry } from './telemetry.js';
import { clientId, iothubUsername, telemetryTopic } from './topics.js';
import { twin } from './twin.js';

export interface DeviceOptions {
  /** HostName=..;DeviceId=..;SharedAccessKey=.. | ;ModuleId=.. | ;x509=true | ;GatewayHostName=host[:port] */
  connectionString?: string;
  host?: string;
  deviceId?: string;
  moduleId?: string;
  /** Base64 device (or module) key. */
  key?: string;
  /** Default 8883, or the GatewayHostName port. */
  port?: number;
  /** Default true; false only for local development. */
  tls?: boolean;
  /** PEM. cert + clientKey = X.509 authentication (no password). */
  ca?: string;
  cert?: string;
  clientKey?: string;
  /** IoT Plug and Play model id. */
  modelId?: string;
  /** Seconds; default 3600. */
  tokenTtl?: number;
  /** Seconds before expiry to reconnect with a fresh token; default 900. */
  renewBefore?: number;
  /** Seconds; default 240, at most 1177. */
  keepalive?: number;
  /** QoS of everything the device publishes: 1 (default) or 0. IoT Hub closes on QoS 2. */
  qos?: 0 | 1;
  /** Published by the hub as telemetry when the device vanishes without DISCONNECT. */
  will?: { body: string | Uint8Array; props?: Record<string, string> };
  limits?: Partial<Limits>;
  /** hal.storage key for the persistent outbox. */
  store?: string;
}

export interface Twin {
  desired: any;
  reported: any;
}

export interface Device {
  connect(): void;
  end(cb?: () => void): void;
  readonly connected: boolean;
  /** Telemetry; props may hold system properties ($.mid, $.cid, $.ct, $.ce ...). cb on PUBACK. */
  send(body: string | Uint8Array, props?: Record<string, string>, cb?: (err?: string) => void): void;
  on(ev: 'connect', fn: () => void): void;
  on(ev: 'close', fn: (reason: string) => void): void;
  on(ev: 'error', fn: (msg: string) => void): void;
  onC2d(fn: (body: Uint8Array, props: Record<string, string | null>) => void): void;
  getTwin(cb: (err: string | undefined, twin?: Twin) => void): void;
  report(patch: object, cb?: (err: string | undefined, version?: number) => void): void;
  /**
   * Desired-property patches, and after every connect (or at once when registered while
   * connected) the whole desired document (full = true) when its $version is newer than the last
   * one delivered: patches sent while the device was offline are never replayed by the hub.
   * Only this handler makes the device fetch the twin on reconnect; getTwin() always asks the hub.
   */
  onDesired(fn: (patch: any, version: number, full?: boolean) => void): void;
  /** Unknown methods are answered 501 {"message": "method 'x' not implemented"}. */
  onMethod(name: string, fn: (payload: any, respond: (status: number, body?: any) => void) => void): void;
}

const df = (v: any, d: number) => (v == null ? d : v);

export function createDevice(hal: Hal, o: DeviceOptions): Device {
  const cs: Partial<ConnectionString> = o.connectionString ? parseConnectionString(o.connectionString) : {};
  const host = cs.hostName || o.host!, d = cs.deviceId || o.deviceId!, md = cs.moduleId || o.moduleId, key = cs.sharedAccessKey || o.key;
  const ka = df(o.keepalive, 240), ttl = o.tokenTtl || 3600, rb = df(o.renewBefore, 900), q = df(o.qos, 1);
  const bad = !host ? 'host is required'
    : idError('device id', d) || (md && idError('module id', md))
    || (!(ka >= 0 && ka <= 1177) ? 'keepalive must be 0..1177 s'
      : q !== (q & 1) ? 'qos must be 0 or 1'
      : key ? (!isBase64(key) ? 'key is not base64' : !(ttl > rb && rb >= 0) && 'tokenTtl must exceed renewBefore')
      : (!o.cert || !o.clientKey) && 'need key, or cert and clientKey');
  if (bad) throw new Error('iothub: ' + bad);

  const H: any = {}, subs: string[] = [], F: Hook[] = [], so = { qos: q };
  let n = 0;
  const emit = (e: string, a?: any) => H[e] && H[e](a);
  const w = (m?: string) => m && emit('error', m);
  const all: Hook = (t, p) => F.forEach((f) => f(t, p));
  const c = createClient(hal, {
    host: cs.gatewayHostName || host, port: o.port || cs.gatewayPort || 8883, tls: o.tls !== false,
    ca: o.ca, cert: o.cert, key: o.clientKey,
    clientId: clientId(d, md), username: iothubUsername(host, d, md, o.modelId), clean: false, keepalive: ka,
    // retain left out: it is false unless set.
    will: o.will && ({ topic: telemetryTopic(d, md, o.will.props), payload: o.will.body, qos: q } as any),
    limits: o.limits, store: o.store,
  });
  const sub = (fs: string[]) => c.subscribe(fs.map((f) => ({ topic: f, qos: 1 as const })), (e) => w(e && e + ': ' + fs));
  const s = (f: string) => {
    if (subs.indexOf(f) < 0) subs.push(f), sub([f]);
  };
  const r = key && renewer(hal, deviceResourceUri(host, d, md), key, ttl, rb, cs.sharedAccessKeyName, w, (pw) => c.connect({ password: pw }));
  c.on('connect', (sp) => {
    if (n++ && !sp && subs.length) sub(subs);
    all(1);
    emit('connect');
  });
  c.on('close', (why) => {
    if (r) r.chk();
    emit('close', why);
  });
  c.on('error', w);
  c.on('message', all);

  const dev: any = {
    connect() {
      r ? r.go() : c.connect();
    },
    end(cb?: () => void) {
      if (r) r.stop();
      all(0);
      c.end(cb);
    },
    get connected() {
      return c.connected;
    },
    on(e: string, f: any) {
      H[e] = f;
    },
  };
  telemetry(dev, c, so, d, md);
  F.push(c2d(dev, s, d, md), twin(dev, c, so, s, w, hal, withLimits(o.limits)), methods(dev, c, so, s));
  return dev;
}
