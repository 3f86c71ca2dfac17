// The IoT Hub device: one MQTT client dressed in the hub's CONNECT fields (docs/iothub.md), SAS renewal,
// and the features (telemetry, c2d, twin, methods). A device is one object holding its state
// (ctx.ts says why), its methods shared by every device; the client's events reach it through four
// bound listeners, and each incoming message goes to every feature's reader, which ignores topics
// that are not its own.
// This file is the device-only entry: it does not import dps.ts, and an app importing createDevice
// from index.ts loses DPS to tree-shaking as well.
// Subscriptions are made when a feature is first used (onC2d, onMethod, twin calls), so a device
// that never takes cloud-to-device messages leaves them queued at the hub instead of dropping them.
// Registering handlers before connect() puts their SUBSCRIBEs on the wire right after CONNACK,
// ahead of any queued request. A reconnect that finds its hub session gone subscribes again.
import type { Hal } from '../../hal/types.js';
import { createClient } from '../mqtt/client.js';
import { type Limits, withLimits } from '../mqtt/limits.js';
import { onClose, renewToken, stopRenewal, token } from './auth.js';
import { onC2d, readC2d } from './c2d.js';
import { type ConnectionString, isBase64, parseConnectionString } from './connstr.js';
import { type DeviceState, emit, subscribe } from './ctx.js';
import { idError } from './ids.js';
import { onMethod, readMethod } from './methods.js';
import { deviceResourceUri } from './sas.js';
import { send } from './telemetry.js';
import { clientId, iothubUsername, telemetryTopic } from './topics.js';
import { fetchDesired, getTwin, onDesired, readTwin, report, twinRequest } from './twin.js';

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
  /**
   * The hub refused the CONNECT (CONNACK rc and its meaning, the ms until the next try): the device
   * keeps trying with its capped backoff, each try with a fresh SAS token. After 'error', before 'close'.
   */
  on(ev: 'refused', fn: (rc: number, reason: string, retryIn?: number) => void): void;
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

/** The methods every device shares: the public API, then internal ones (ctx.ts). */
const deviceMethods = {
  connect(this: DeviceState) {
    this.sasKey_ ? this.renewToken_() : this.client_.connect();
  },
  end(this: DeviceState, cb?: () => void) {
    const pending = this.twinPending_;
    this.stopRenewal_();
    // Every pending twin request gets its one callback now, not after a later connect.
    for (const rid in pending) pending[rid as any]!();
    this.client_.end(cb);
  },
  get connected() {
    return (this as unknown as DeviceState).client_.connected;
  },
  on(this: DeviceState, event: string, fn: any) {
    // A refusal needs nothing of the device (the next dial mints a fresh token): the client tells the app.
    event == 'refused' ? this.client_.on(event, fn) : (this.handlers_[event] = fn);
  },
  send,
  onC2d,
  getTwin,
  report,
  onDesired,
  onMethod,

  // The client's listeners, bound to the device once.
  onConnect_(this: DeviceState, sessionPresent: boolean) {
    const dev = this, features = dev.features_;
    // The hub lost the session (and its subscriptions): all of them again, in one SUBSCRIBE.
    if (dev.connects_++ && !sessionPresent) {
      dev.features_ = 0;
      dev.subscribe_(features);
    }
    if (dev.desiredHandler_) dev.fetchDesired_();
    dev.emit_('connect');
  },
  onClose_: onClose,
  // Each feature's reader ignores topics that are not its own.
  onMessage_(this: DeviceState, topic: string, payload: Uint8Array) {
    readC2d(this, topic, payload);
    readTwin(this, topic, payload);
    readMethod(this, topic, payload);
  },
  emit_: emit,
  subscribe_: subscribe,
  renewToken_: renewToken,
  token_: token,
  stopRenewal_: stopRenewal,
  twinRequest_: twinRequest,
  fetchDesired_: fetchDesired,

  // Initial state, read from here until a device writes its own.
  features_: 0,
  connects_: 0,
  lastRid_: 0,
  renewTimer_: 0,
  tokenExpiry_: 0,
  desiredVersion_: -1,
};

export function createDevice(hal: Hal, o: DeviceOptions): Device {
  const cs: Partial<ConnectionString> = o.connectionString ? parseConnectionString(o.connectionString) : {};
  const host = cs.hostName || o.host!, deviceId = cs.deviceId || o.deviceId!, moduleId = cs.moduleId || o.moduleId, key = cs.sharedAccessKey || o.key;
  const keepalive = o.keepalive == null ? 240 : o.keepalive, ttl = o.tokenTtl || 3600, renewBefore = o.renewBefore == null ? 900 : o.renewBefore;
  const qos = o.qos == null ? 1 : o.qos;
  const bad = !host ? 'host is required'
    : idError('device id', deviceId) || (moduleId && idError('module id', moduleId))
    || (!(keepalive >= 0 && keepalive <= 1177) ? 'keepalive must be 0..1177 s'
      : qos !== (qos & 1) ? 'qos must be 0 or 1'
      : key ? (!isBase64(key) ? 'key is not base64' : !(ttl > renewBefore && renewBefore >= 0) && 'tokenTtl must exceed renewBefore')
      : (!o.cert || !o.clientKey) && 'need key, or cert and clientKey');
  if (bad) throw new Error('iothub: ' + bad);

  const limits = withLimits(o.limits);
  const dev: DeviceState = Object.create(deviceMethods);
  const client = (dev.client_ = createClient(hal, {
    host: cs.gatewayHostName || host, port: o.port || cs.gatewayPort || 8883, tls: o.tls !== false,
    ca: o.ca, cert: o.cert, key: o.clientKey,
    clientId: clientId(deviceId, moduleId), username: iothubUsername(host, deviceId, moduleId, o.modelId), clean: false, keepalive,
    // With a key: a SAS token, read at each dial (auth.ts).
    password: key && deviceMethods.token_.bind(dev),
    // retain left out: it is false unless set.
    will: o.will && ({ topic: telemetryTopic(deviceId, moduleId, o.will.props), payload: o.will.body, qos } as any),
    limits: o.limits, store: o.store,
  }));
  dev.hal_ = hal;
  dev.deviceId_ = deviceId;
  if (moduleId) dev.moduleId_ = moduleId;
  dev.publishOptions_ = { qos };
  dev.handlers_ = {};
  dev.answerTimeout_ = limits.ackTimeout;
  dev.retryDelay_ = limits.backoffMin;
  if (key) {
    dev.sasResource_ = deviceResourceUri(host, deviceId, moduleId);
    dev.sasKey_ = key;
    if (cs.sharedAccessKeyName) dev.sasPolicy_ = cs.sharedAccessKeyName;
    dev.tokenTtl_ = ttl;
    dev.renewBefore_ = renewBefore;
  }
  client.on('connect', deviceMethods.onConnect_.bind(dev));
  client.on('close', deviceMethods.onClose_.bind(dev));
  client.on('error', dev.emit_.bind(dev, 'error'));
  client.on('message', deviceMethods.onMessage_.bind(dev));
  return dev;
}
