// The IoT Hub device: one MQTT client dressed in the hub's CONNECT fields (IOTHUB.md), SAS renewal,
// and the features (telemetry, c2d, twin, methods) plugged in through a small shared context.
// Subscriptions are made when a feature is first used (onC2d, onMethod, twin calls), so a device
// that never takes cloud-to-device messages leaves them queued at the hub instead of dropping them.
// Registering handlers before connect() puts their SUBSCRIBEs on the wire right after CONNACK,
// ahead of any queued request. A reconnect that finds its hub session gone subscribes again.
import type { Hal } from '../../hal/types.js';
import { base64Decode } from '../crypto/base64.js';
import { utf8Decode } from '../mqtt/codec/utf8.js';
import { type Client, createClient } from '../mqtt/client.js';
import { type Limits, withLimits } from '../mqtt/limits.js';
import { renewer } from './auth.js';
import { c2d } from './c2d.js';
import { type ConnectionString, parseConnectionString } from './connstr.js';
import { checkDeviceId, checkModuleId } from './ids.js';
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
   * Desired-property patches, and after every connect the whole desired document (full = true)
   * when its $version is newer than the last one delivered: patches sent while the device was
   * offline are never replayed by the hub.
   */
  onDesired(fn: (patch: any, version: number, full?: boolean) => void): void;
  /** Unknown methods are answered 501 {"message": "method 'x' not implemented"}. */
  onMethod(name: string, fn: (payload: any, respond: (status: number, body?: any) => void) => void): void;
}

/** What the feature modules share. */
export interface Ctx {
  c: Client;
  h: Hal;
  l: Limits;
  q: 0 | 1;
  d: string;
  md?: string;
  /** Incoming-message handlers, tried in turn; the first to return true owns the message. */
  m: ((topic: string, payload: Uint8Array) => any)[];
  /** Run on every accepted CONNACK. */
  k: (() => void)[];
  /** Run by end(). */
  z: (() => void)[];
  /** Subscribe to a filter once; it is renewed if the hub loses the session. */
  s(filter: string): void;
  e(ev: string, a?: any): void;
  j: typeof json;
}

/** A payload as JSON, or undefined (null for invalid UTF-8). */
export function json(p: Uint8Array): any {
  try {
    return JSON.parse(utf8Decode(p, 0, p.length)!);
  } catch (e) {}
}

function bad(m: string): never {
  throw new Error('iothub: ' + m);
}

export function createDevice(hal: Hal, o: DeviceOptions): Device {
  const cs: ConnectionString = o.connectionString ? parseConnectionString(o.connectionString) : ({} as ConnectionString);
  const host = cs.hostName || o.host!, d = cs.deviceId || o.deviceId!, md = cs.moduleId || o.moduleId, key = cs.sharedAccessKey || o.key;
  const ka = o.keepalive == null ? 240 : o.keepalive, ttl = o.tokenTtl || 3600, rb = o.renewBefore == null ? 900 : o.renewBefore;
  const q = o.qos == null ? 1 : o.qos, H: any = {}, subs: string[] = [];
  if (!host) bad('host is required');
  checkDeviceId(d);
  if (md) checkModuleId(md);
  if (!(ka >= 0 && ka <= 1177)) bad('keepalive must be 0..1177 s');
  if (q !== 0 && q !== 1) bad('qos must be 0 or 1');
  if (key) {
    try {
      base64Decode(key);
    } catch (x) {
      bad('key is not base64');
    }
    if (!(ttl > rb && rb >= 0)) bad('tokenTtl must exceed renewBefore');
  } else if (!o.cert || !o.clientKey) bad('need key, or cert and clientKey');

  const emit = (e: string, a?: any) => H[e] && H[e](a);
  const c = createClient(hal, {
    host: cs.gatewayHostName || host, port: o.port || cs.gatewayPort || 8883, tls: o.tls !== false,
    ca: o.ca, cert: o.cert, key: o.clientKey,
    clientId: clientId(d, md), username: iothubUsername(host, d, md, o.modelId), clean: false, keepalive: ka,
    will: o.will && { topic: telemetryTopic(d, md, o.will.props), payload: o.will.body, qos: q, retain: false },
    limits: o.limits, store: o.store,
  });
  const sub = (fs: string[]) => c.subscribe(fs.map((f) => ({ topic: f, qos: 1 as const })), (e) => e && emit('error', e + ': ' + fs));
  let ended = false, n = 0;
  const r = key && renewer(hal, deviceResourceUri(host, d, md), key, ttl, rb, cs.sharedAccessKeyName, (m) => emit('error', m),
    (pw) => c.connect({ password: pw }));
  const x: Ctx = {
    c, h: hal, l: withLimits(o.limits), q, d, md, m: [], k: [], z: [],
    s(f) {
      if (subs.indexOf(f) < 0) subs.push(f), sub([f]);
    },
    e: emit,
    j: json,
  };
  c.on('connect', (sp) => {
    if (n++ && !sp && subs.length) sub(subs);
    for (const f of x.k) f();
    emit('connect');
  });
  c.on('close', (why) => {
    if (r && !ended) r.chk();
    emit('close', why);
  });
  c.on('error', (m) => emit('error', m));
  c.on('message', (t, p) => {
    for (const f of x.m) if (f(t, p)) return;
  });

  const dev: any = {
    connect() {
      ended = false;
      r ? r.go() : c.connect();
    },
    end(cb?: () => void) {
      ended = true;
      if (r) r.stop();
      for (const f of x.z) f();
      c.end(cb);
    },
    get connected() {
      return c.connected;
    },
    on(e: string, f: any) {
      H[e] = f;
    },
  };
  telemetry(x, dev);
  c2d(x, dev);
  twin(x, dev);
  methods(x, dev);
  return dev;
}
