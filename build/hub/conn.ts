// One device's MQTT 3.1.1 connection to the hub. The hub is a small MQTT server of its own on
// mqtt-packet's codec rather than a broker library such as aedes, because: aedes fixes the
// SUBACK's QoS before authorizeSubscribe runs, so a QoS 2 subscription cannot be granted as 1 the
// way IoT Hub grants it; a device's PUBACK of a cloud-to-device message cannot be matched to the
// hub's own queue; and IoT Hub never routes messages between devices, which is what a broker is
// for. Here every packet goes to the hub (ConnHost), which answers on this connection alone.
// Known difference from a full broker: CONNACK's sessionPresent is always false and subscriptions
// are not kept across connections (devices and the Azure SDKs subscribe again after connecting).
// Like IoT Hub, this side never sends an error packet: a violation closes the connection, and the
// reason goes to the hub's log. Packet sizes are checked from each fixed header as it arrives, so
// an unauthenticated peer cannot make the hub buffer more than MAX_FIRST_PACKET; subscriptions,
// messages awaiting PUBACK and bytes the device has not read are bounded too (limits.ts). An
// exception while handling one connection's packet closes that connection, never the hub.
import type { Socket } from 'node:net';
import mqtt, { type IConnectPacket, type IPublishPacket, type Packet } from 'mqtt-packet';
import { type ConnLimits, connLimits, MAX_MESSAGE_BYTES } from './limits.js';

export interface ConnHost {
  /** 0 to accept, or the CONNACK return code. Runs once, for the first CONNECT. */
  connect(c: DeviceConn, p: IConnectPacket): number;
  /** False when the device may not publish there: the connection is then closed. */
  publish(c: DeviceConn, p: IPublishPacket): boolean;
  /** False when the device may not subscribe to `filter`. */
  subscribeAllowed(c: DeviceConn, filter: string): boolean;
  subscribed(c: DeviceConn): void;
  puback(c: DeviceConn, messageId: number): void;
  /** `clean` when the device sent DISCONNECT. */
  closed(c: DeviceConn, reason: string, clean: boolean): void;
}

/**
 * The hub's notion of time for token expiry (and C2D time to live): real time by default; a test
 * can drive it from a virtual clock to run a day of 1-hour tokens in seconds.
 */
export interface HubClock {
  /** Epoch ms. */
  now(): number;
  setTimer(ms: number, fn: () => void): unknown;
  clearTimer(id: unknown): void;
}

export const realTime: HubClock = {
  now: () => Date.now(),
  setTimer: (ms, fn) => setTimeout(fn, ms),
  clearTimer: (id) => clearTimeout(id as NodeJS.Timeout),
};

// IoT Hub drops a connection after 1.5 x keepalive, capped at 1767 s.
export const MAX_IDLE_S = 1767;
const MAX_MESSAGE = MAX_MESSAGE_BYTES;
/** Bytes written to a device and not yet taken by it: a device that stops reading is closed. */
export const MAX_UNREAD = 4 * (MAX_MESSAGE + 65535);
/** Largest CONNECT: ids, user name and SAS token fit many times over; a stranger gets no more memory. */
export const MAX_FIRST_PACKET = 64 * 1024;
/** Largest packet once connected: a 256 KB message plus the longest topic, packet id and fixed header. */
export const MAX_PACKET = MAX_MESSAGE + 2 + 65535 + 2 + 5;
// setTimeout holds at most 2^31-1 ms (~24.8 days); longer waits are re-armed.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Follows packet boundaries through fixed headers as bytes arrive, so that a packet announcing more
 * than the limit is refused from its header: the parser would otherwise buffer the body whole first.
 */
export class PacketSizer {
  /** Body bytes of the current packet still to come. */
  private left = 0;
  /** Remaining-length bytes read of the current header; -1 before its first byte. */
  private n = -1;
  private len = 0;
  private packets = 0;

  /** The size a packet in `b` announces when it is over its limit (the first one's, or the rest's), else 0. */
  push(b: Uint8Array): number {
    for (let i = 0; i < b.length; ) {
      if (this.left > 0) {
        const k = Math.min(this.left, b.length - i);
        this.left -= k;
        i += k;
      } else if (this.n < 0) {
        this.n = this.len = 0;
        i++;
      } else {
        const c = b[i++]!;
        this.len += (c & 127) * 128 ** this.n++;
        if (c & 128) {
          // A fifth length byte is malformed [MQTT-2.2.3]: no size to follow, so refused as too big.
          if (this.n === 4) return Infinity;
          continue;
        }
        const size = 1 + this.n + this.len;
        if (size > (this.packets++ ? MAX_PACKET : MAX_FIRST_PACKET)) return size;
        this.left = this.len;
        this.n = -1;
      }
    }
    return 0;
  }
}

/**
 * A connection's byte handler, for the hub and the gateway alike: each header checked by a
 * PacketSizer before mqtt-packet's parser buffers the body; whole packets go to `onPacket`, a packet
 * over its limit or malformed to `onProblem` (the caller closes the connection).
 */
export function packetReader(onPacket: (p: Packet) => void, onProblem: (why: string) => void): (b: Buffer) => void {
  const parser = mqtt.parser({ protocolVersion: 4 });
  parser.on('packet', onPacket);
  parser.on('error', (e: Error) => onProblem(`malformed packet: ${e.message}`));
  const sizer = new PacketSizer();
  return (b) => {
    const big = sizer.push(b);
    if (big) return onProblem(big < Infinity ? `packet of ${big} bytes announced: over the limit` : 'malformed remaining length');
    parser.parse(b);
  };
}

export interface ConnOptions {
  /** Token expiry (default real time). */
  clock?: HubClock;
  /** The CONNECT deadline and the keepalive window (default real time; tests drive a virtual one). */
  idleClock?: HubClock;
  limits?: Partial<ConnLimits>;
}

/** What DeviceConn needs of a socket (a net.Socket or tls.TLSSocket; a fake in tests). */
export type ConnSocket = Pick<Socket, 'on' | 'write' | 'end' | 'destroy' | 'writable' | 'writableLength'>;

export class DeviceConn {
  deviceId = '';
  /** Subscribed filter -> granted QoS. */
  readonly subs = new Map<string, 0 | 1>();
  will?: IConnectPacket['will'];
  private state: 'new' | 'open' | 'closed' = 'new';
  private idle?: unknown;
  private idleMs: number;
  private expiry?: unknown;
  private nextId = 0;
  private readonly inflight = new Set<number>();
  private readonly clock: HubClock;
  private readonly idleClock: HubClock;
  private readonly limits: ConnLimits;

  constructor(private readonly socket: ConnSocket, private readonly host: ConnHost, opts: ConnOptions = {}) {
    this.clock = opts.clock ?? realTime;
    this.idleClock = opts.idleClock ?? realTime;
    this.limits = connLimits(opts.limits);
    this.idleMs = this.limits.connectTimeoutMs;
    const read = packetReader((p) => this.packet(p), (why) => this.close(why));
    socket.on('data', (b: Buffer) => this.guard(() => this.state !== 'closed' && read(b)));
    socket.on('error', (e: Error) => this.guard(() => this.close(`socket error: ${e.message}`)));
    socket.on('close', () => this.guard(() => this.close('connection closed by the device')));
    this.touch();
  }

  get open(): boolean {
    return this.state === 'open';
  }

  /**
   * Runs `fn` for this connection: an exception closes the connection (and is logged by the hub
   * through its close reason) instead of leaving a socket handler and taking the hub down.
   */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.close(`internal error, connection closed: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  /**
   * Sends a PUBLISH; returns its packet id for QoS 1. A device that leaves maxInflight messages
   * unacknowledged is closed (and undefined returned): the packet-id search below then always
   * finds a free id, and the hub holds no more than that many messages for it.
   */
  send(topic: string, payload: Buffer | string, qos: 0 | 1, dup = false): number | undefined {
    if (this.state === 'closed') return undefined;
    if (qos === 0) return void this.write({ cmd: 'publish', topic, payload, qos, dup: false, retain: false });
    if (this.inflight.size >= this.limits.maxInflight) {
      this.close(`${this.inflight.size} messages not acknowledged: over the limit of ${this.limits.maxInflight} in flight`);
      return undefined;
    }
    let id = this.nextId;
    do id = (id % 65535) + 1;
    while (this.inflight.has(id));
    this.nextId = id;
    this.inflight.add(id);
    this.write({ cmd: 'publish', topic, payload, qos, dup, retain: false, messageId: id });
    return id;
  }

  /** Closes the connection when the token expires (epoch seconds), as IoT Hub does. */
  expireAt(epochS: number): void {
    this.clock.clearTimer(this.expiry);
    const ms = epochS * 1000 - this.clock.now();
    if (ms <= 0) return this.close('SAS token expired');
    this.expiry = this.clock.setTimer(Math.min(ms, MAX_TIMER_MS), () => this.guard(() => this.expireAt(epochS)));
  }

  close(reason: string, clean = false): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.state = 'closed';
    this.idleClock.clearTimer(this.idle);
    this.clock.clearTimer(this.expiry);
    // end() lets a refusing CONNACK reach the device before the FIN; destroy() if it stalls.
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
    if (wasOpen) this.host.closed(this, reason, clean);
  }

  private write(p: Packet): void {
    if (!this.socket.writable) return;
    this.socket.write(mqtt.generate(p));
    if (this.socket.writableLength > MAX_UNREAD) this.close(`${this.socket.writableLength} bytes sent and not read by the device: over the limit`);
  }

  private touch(): void {
    this.idleClock.clearTimer(this.idle);
    this.idle = this.idleClock.setTimer(this.idleMs, () => this.guard(() => this.close(this.open ? 'keepalive timeout' : 'no CONNECT in time')));
  }

  private packet(p: Packet): void {
    if (this.state === 'closed') return;
    this.touch();
    if (this.state === 'new') return p.cmd === 'connect' ? this.connect(p) : this.close(`[MQTT-3.1.0-1] ${p.cmd} before CONNECT`);
    switch (p.cmd) {
      case 'publish':
        if (p.qos === 2) return this.close('QoS 2 PUBLISH (IoT Hub supports QoS 0 and 1)');
        if (p.payload.length > MAX_MESSAGE) return this.close(`message of ${p.payload.length} bytes (IoT Hub takes at most 256 KB)`);
        if (!this.host.publish(this, p)) return this.close(`not allowed to publish to '${p.topic}'`);
        if (p.qos === 1) this.write({ cmd: 'puback', messageId: p.messageId! });
        return;
      case 'puback':
        if (this.inflight.delete(p.messageId!)) this.host.puback(this, p.messageId!);
        return;
      case 'subscribe': {
        const granted: number[] = [];
        for (const s of p.subscriptions) {
          if (!this.host.subscribeAllowed(this, s.topic)) return this.close(`not allowed to subscribe to '${s.topic}'`);
          // Past the limit a new filter gets MQTT's failure code 0x80; the connection stays.
          if (!this.subs.has(s.topic) && this.subs.size >= this.limits.maxSubscriptions) {
            granted.push(0x80);
            continue;
          }
          const q = s.qos ? 1 : 0; // QoS 2 is granted as 1
          this.subs.set(s.topic, q);
          granted.push(q);
        }
        this.write({ cmd: 'suback', messageId: p.messageId!, granted });
        return this.host.subscribed(this);
      }
      case 'unsubscribe':
        for (const t of p.unsubscriptions) this.subs.delete(t);
        return this.write({ cmd: 'unsuback', messageId: p.messageId!, granted: [] });
      case 'pingreq':
        return this.write({ cmd: 'pingresp' });
      case 'disconnect':
        this.will = undefined;
        return this.close('device disconnected', true);
      default:
        return this.close(p.cmd === 'connect' ? '[MQTT-3.1.0-2] second CONNECT' : `unexpected ${p.cmd}`);
    }
  }

  private connect(p: IConnectPacket): void {
    const rc = p.protocolVersion !== 4 ? 1 : this.host.connect(this, p);
    this.write({ cmd: 'connack', returnCode: rc, sessionPresent: false });
    if (rc) return this.close(`refused with CONNACK ${rc}`);
    this.state = 'open';
    this.will = p.will;
    this.idleMs = Math.min(p.keepalive ? p.keepalive * 1.5 : MAX_IDLE_S, MAX_IDLE_S) * 1000;
    this.touch();
  }
}
