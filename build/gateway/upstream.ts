// One device's connection to IoT Hub (Azure's or `tinyiot hub`), always over TLS, made with
// MQTT.js. With the device's connection string the gateway signs its own SAS tokens, a new one
// for every connection attempt, and renews before expiry by reconnecting (IoT Hub closes a
// connection whose token has expired). With passthrough the device's own user name and token are
// used, and the first CONNACK is the device's answer. Stored telemetry is published at QoS 1 in
// order; MQTT.js keeps unacknowledged messages and sends them again, in order, after every
// reconnect, and the journal drops each one only on IoT Hub's PUBACK. Messages from IoT Hub are
// acknowledged upstream only when the device has acknowledged them (handleMessage), so a
// cloud-to-device message the device never got is sent again by IoT Hub.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { IPublishPacket } from 'mqtt-packet';
import { deviceResourceUri, sasToken } from '../../firmware/iothub/sas.js';
import { clientId, iothubUsername } from '../../firmware/iothub/topics.js';
import { nodeCrypto } from '../../hal/emulated/crypto.js';
import type { Journal, StoredMessage } from './journal.js';
import { type GatewayDevice, upstreamOf } from './registry.js';

export interface HubAddress {
  host: string;
  port: number;
}

export interface UpstreamOptions {
  /** Where to connect; default the connection string's GatewayHostName, else HostName:8883. */
  hub?: HubAddress;
  /** PEM of the CA the hub's certificate chains to; default Node's trusted roots. */
  ca?: string;
  /** Lifetime of the gateway's own SAS tokens, seconds. */
  tokenTtlS: number;
  /** Passthrough: the device's own credentials. */
  credentials?: { username: string; password: Buffer };
  will?: { topic: string; payload: Buffer };
  reconnectMs?: number;
  log(line: string): void;
  /** Called when IoT Hub has acknowledged everything of the device that was stored. */
  drained?: () => void;
}

/** A message from IoT Hub; `done` acknowledges it upstream. */
export type Downlink = (topic: string, payload: Buffer, done: () => void) => void;

export class Upstream {
  readonly client: MqttClient;
  private renewTimer?: NodeJS.Timeout;
  private readonly filters = new Set<string>();
  /** Stored messages handed to MQTT.js (journal seq), so a resend at start is not duplicated. */
  private readonly sent = new Set<number>();
  private ended = false;
  private failing = false;

  constructor(
    readonly device: GatewayDevice,
    private readonly journal: Journal,
    private readonly opts: UpstreamOptions,
    private readonly downlink: Downlink,
  ) {
    const { host, port, ca, username, password } = this.target();
    const options: IClientOptions = {
      protocol: 'mqtts',
      host,
      port,
      ca,
      rejectUnauthorized: true,
      protocolVersion: 4,
      clean: true,
      clientId: clientId(device.deviceId),
      username,
      password: password(),
      keepalive: 60,
      reconnectPeriod: opts.credentials ? 0 : (opts.reconnectMs ?? 2000),
      connectTimeout: 15_000,
      queueQoSZero: false,
    };
    if (opts.will) options.will = { topic: opts.will.topic, payload: opts.will.payload, qos: 1, retain: false };
    this.client = mqtt.connect(options);
    // Each attempt signs a fresh token: one that expired while the hub was away is never reused.
    this.client.on('reconnect', () => (this.client.options.password = password()));
    this.client.on('connect', () => {
      if (this.failing) opts.log(`upstream ${device.deviceId}: connected again`);
      this.failing = false;
      this.scheduleRenewal();
    });
    // MQTT.js sends the PUBACK when this calls back (its customHandleAcks is for MQTT 5 only).
    this.client.handleMessage = (p: IPublishPacket, callback: () => void) => this.downlink(p.topic, Buffer.from(p.payload), () => callback());
    // The first failure of an outage is logged, not every retry: a thousand devices retrying every
    // two seconds would bury everything else.
    this.client.on('error', (e: Error) => this.failed(e.message));
    this.client.on('offline', () => this.failed('IoT Hub is not reachable; retrying'));
    this.client.on('close', () => clearTimeout(this.renewTimer));
    for (const m of journal.pending(device.deviceId)) this.forward(m);
  }

  /** Made with the device's will, which IoT Hub sends if this connection drops. */
  get hasWill(): boolean {
    return !!this.opts.will;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Resolves with IoT Hub's CONNACK return code (3 when it cannot be reached within `ms`). */
  firstConnack(ms: number): Promise<number> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(3), ms);
      const settle = (rc: number) => {
        clearTimeout(timer);
        this.client.off('connect', onConnect);
        this.client.off('error', onError);
        this.client.off('close', onClose);
        resolve(rc);
      };
      const onConnect = () => settle(0);
      const onError = (e: Error & { code?: number }) => settle(typeof e.code === 'number' && e.code > 0 && e.code < 6 ? e.code : 3);
      const onClose = () => settle(3);
      this.client.on('connect', onConnect);
      this.client.on('error', onError);
      this.client.on('close', onClose);
    });
  }

  /** Sends a stored message at QoS 1; the journal lets it go on IoT Hub's PUBACK. */
  forward(m: StoredMessage): void {
    if (this.sent.has(m.seq)) return;
    this.sent.add(m.seq);
    this.client.publish(m.topic, m.body, { qos: 1, retain: m.retain }, (err) => {
      this.sent.delete(m.seq);
      if (err) return;
      this.journal.ack(this.device.deviceId, m.seq);
      if (!this.journal.pending(this.device.deviceId).length) this.opts.drained?.();
    });
  }

  /** A twin or method request: straight up at QoS 0 when connected; false when it could not go. */
  request(topic: string, body: Buffer): boolean {
    if (!this.client.connected) return false;
    this.client.publish(topic, body, { qos: 0 });
    return true;
  }

  subscribe(filters: string[]): void {
    const fresh = filters.filter((f) => !this.filters.has(f));
    fresh.forEach((f) => this.filters.add(f));
    if (fresh.length) this.client.subscribe(fresh, { qos: 1 });
  }

  /** Nothing of the device waits in the store. */
  get drained(): boolean {
    return this.sent.size === 0;
  }

  /** Drops the connection without DISCONNECT, so IoT Hub sends the will it was given. */
  abort(): void {
    this.client.options.will = undefined;
    this.client.stream?.destroy();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.renewTimer);
    this.client.end(true);
  }

  private failed(why: string): void {
    if (!this.failing) this.opts.log(`upstream ${this.device.deviceId}: ${why}`);
    this.failing = true;
  }

  private target(): { host: string; port: number; ca?: string; username: string; password: () => string } {
    const { device, opts } = this;
    if (opts.credentials) {
      if (!opts.hub) throw new Error(`device '${device.deviceId}' passes its token through: the gateway needs --hub`);
      const pw = opts.credentials.password.toString();
      return { ...opts.hub, ca: opts.ca, username: opts.credentials.username, password: () => pw };
    }
    const cs = upstreamOf(device);
    const host = opts.hub?.host ?? cs.gatewayHostName ?? cs.hostName;
    const port = opts.hub?.port ?? (cs.gatewayPort || 8883);
    const uri = deviceResourceUri(cs.hostName, device.deviceId);
    const password = () => sasToken(nodeCrypto(), uri, cs.sharedAccessKey!, Math.floor(Date.now() / 1000) + opts.tokenTtlS);
    return { host, port, ca: opts.ca, username: iothubUsername(cs.hostName, device.deviceId), password };
  }

  /** Reconnects with a new token at 80% of the old one's life, before IoT Hub closes on expiry. */
  private scheduleRenewal(): void {
    clearTimeout(this.renewTimer);
    if (this.opts.credentials) return;
    this.renewTimer = setTimeout(() => {
      this.opts.log(`upstream ${this.device.deviceId}: renewing its SAS token`);
      this.client.stream?.destroy();
    }, this.opts.tokenTtlS * 800);
    this.renewTimer.unref();
  }
}
