// One device's MQTT 3.1.1 session with the gateway, over a TCP or TLS socket or a serial line.
// Unlike the hub's DeviceConn (build/hub/conn.ts), whose replies are all immediate, a gateway
// answers late: CONNACK after IoT Hub has answered a passed-through token, a QoS 1 PUBACK (or a
// QoS 2 PUBREC) only once the message is stored durably or acknowledged upstream. It also sends
// QoS 2 toward the device (PUBLISH, PUBREC, PUBREL, PUBCOMP). Packet sizes are checked from each
// fixed header as it arrives (the hub's PacketSizer); messages in flight toward the device are
// bounded, and a device that leaves too many unacknowledged is closed. An exception while
// handling a packet closes this session only.
import type { Socket } from 'node:net';
import mqtt, { type IConnectPacket, type IPublishPacket, type Packet } from 'mqtt-packet';
import { MAX_IDLE_S, packetReader } from '../hub/conn.js';
import { MAX_MESSAGE_BYTES } from '../hub/limits.js';

/** What a session needs of its line: a socket, or a serial port wrapped by serial.ts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an event listener of Node's streams
export type Listener = (...args: any[]) => void;

export interface Line {
  on(event: string, fn: Listener): unknown;
  off(event: string, fn: Listener): unknown;
  write(b: Buffer): unknown;
  /** Ends the line (a socket closes; a serial line stays open for the next session). */
  end(): void;
  /**
   * A serial line: a board that starts over sends CONNECT on it without a DISCONNECT first (its
   * side had nothing to close), and that CONNECT begins a new session instead of ending this one.
   */
  persistent?: boolean;
}

export interface SessionHost {
  /** The CONNACK return code, 0 to accept. */
  connect(s: Session, p: IConnectPacket): Promise<number>;
  /**
   * Takes a PUBLISH; `ack` sends its PUBACK / PUBREC when the host calls it. False closes the
   * session (the device may not publish there).
   */
  publish(s: Session, p: IPublishPacket, ack: () => void): boolean;
  /** The QoS granted, or 0x80 when the device may not subscribe to `filter`. */
  subscribe(s: Session, filter: string, qos: 0 | 1 | 2): number;
  unsubscribe(s: Session, filter: string): void;
  /** The device acknowledged (PUBACK or PUBCOMP) the message sent with `token`. */
  delivered(s: Session, token: unknown): void;
  /** `clean` when the device sent DISCONNECT. */
  closed(s: Session, reason: string, clean: boolean): void;
}

export interface SessionLimits {
  maxInflight: number;
  connectTimeoutMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { maxInflight: 100, connectTimeoutMs: 30_000 };

interface Outgoing {
  token: unknown;
  /** A QoS 2 message after the device's PUBREC. */
  released: boolean;
}

export class Session {
  deviceId = '';
  /** Granted subscriptions: filter -> QoS. */
  readonly subs = new Map<string, 0 | 1 | 2>();
  will?: IConnectPacket['will'];
  private state: 'new' | 'connecting' | 'open' | 'closed' = 'new';
  private idle?: NodeJS.Timeout;
  private idleMs: number;
  private nextId = 0;
  private readonly outgoing = new Map<number, Outgoing>();
  /** QoS 2 packet ids received and PUBREC'd, awaiting PUBREL: a resend is not taken twice. */
  private readonly received = new Set<number>();
  private readonly listeners: Array<[string, Listener]> = [];

  constructor(private readonly line: Line, private readonly host: SessionHost, private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS) {
    this.idleMs = limits.connectTimeoutMs;
    const read = packetReader((p) => this.guard(() => this.packet(p)), (why) => this.close(why));
    this.listen('data', (b: Buffer) => this.guard(() => this.state !== 'closed' && read(b)));
    this.listen('error', (e?: Error) => this.close(`line error: ${e?.message}`));
    this.listen('close', () => this.close('connection closed by the device'));
    this.touch();
  }

  get open(): boolean {
    return this.state === 'open';
  }

  get ended(): boolean {
    return this.state === 'closed';
  }

  guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.close(`internal error, session closed: ${(e as Error)?.message ?? String(e)}`);
    }
  }

  /** Sends a PUBLISH at `qos`; the host hears delivered(token) when the device acknowledges it. */
  send(topic: string, payload: Buffer, qos: 0 | 1 | 2, token?: unknown): void {
    if (this.state !== 'open') return;
    if (qos === 0) {
      this.write({ cmd: 'publish', topic, payload, qos, dup: false, retain: false });
      if (token !== undefined) this.host.delivered(this, token);
      return;
    }
    if (this.outgoing.size >= this.limits.maxInflight) return this.close(`${this.outgoing.size} messages not acknowledged: over the limit of ${this.limits.maxInflight}`);
    let id = this.nextId;
    do id = (id % 65535) + 1;
    while (this.outgoing.has(id));
    this.nextId = id;
    this.outgoing.set(id, { token, released: false });
    this.write({ cmd: 'publish', topic, payload, qos, dup: false, retain: false, messageId: id });
  }

  close(reason: string, clean = false): void {
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open' || this.state === 'connecting';
    this.state = 'closed';
    clearTimeout(this.idle);
    for (const [ev, fn] of this.listeners) this.line.off(ev, fn);
    this.line.end();
    if (wasOpen) this.host.closed(this, reason, clean);
  }

  private listen(ev: 'data' | 'close' | 'error', fn: Listener): void {
    this.line.on(ev, fn);
    this.listeners.push([ev, fn]);
  }

  private write(p: Packet): void {
    if (this.state === 'closed') return;
    this.line.write(mqtt.generate(p));
  }

  private touch(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.guard(() => this.close(this.state === 'new' ? 'no CONNECT in time' : 'keepalive timeout')), this.idleMs);
    this.idle.unref?.();
  }

  private packet(p: Packet): void {
    if (this.state === 'closed') return;
    this.touch();
    if (this.state === 'new') return p.cmd === 'connect' ? this.connect(p) : this.close(`[MQTT-3.1.0-1] ${p.cmd} before CONNECT`);
    if (this.state === 'connecting') return this.close(`${p.cmd} before CONNACK`);
    switch (p.cmd) {
      case 'publish':
        return this.publish(p);
      case 'pubrel':
        this.received.delete(p.messageId!);
        return this.write({ cmd: 'pubcomp', messageId: p.messageId! });
      case 'puback':
      case 'pubcomp': {
        const o = this.outgoing.get(p.messageId!);
        if (!o) return;
        this.outgoing.delete(p.messageId!);
        if (o.token !== undefined) this.host.delivered(this, o.token);
        return;
      }
      case 'pubrec': {
        const o = this.outgoing.get(p.messageId!);
        if (o) o.released = true;
        return this.write({ cmd: 'pubrel', messageId: p.messageId! });
      }
      case 'subscribe': {
        const granted = p.subscriptions.map((s) => {
          const g = this.host.subscribe(this, s.topic, s.qos as 0 | 1 | 2);
          if (g !== 0x80) this.subs.set(s.topic, g as 0 | 1 | 2);
          return g;
        });
        return this.write({ cmd: 'suback', messageId: p.messageId!, granted });
      }
      case 'unsubscribe':
        for (const t of p.unsubscriptions) {
          this.subs.delete(t);
          this.host.unsubscribe(this, t);
        }
        return this.write({ cmd: 'unsuback', messageId: p.messageId!, granted: [] });
      case 'pingreq':
        return this.write({ cmd: 'pingresp' });
      case 'disconnect':
        this.will = undefined;
        return this.close('device disconnected', true);
      default:
        if (p.cmd === 'connect' && this.line.persistent) return this.restart(p);
        return this.close(p.cmd === 'connect' ? '[MQTT-3.1.0-2] second CONNECT' : `unexpected ${p.cmd}`);
    }
  }

  private publish(p: IPublishPacket): void {
    if (p.payload.length > MAX_MESSAGE_BYTES) return this.close(`message of ${p.payload.length} bytes (IoT Hub takes at most 256 KB)`);
    const id = p.messageId!;
    if (p.qos === 2 && this.received.has(id)) return this.write({ cmd: 'pubrec', messageId: id });
    if (p.qos === 2) this.received.add(id);
    let acked = false;
    const ack = () => {
      if (acked || this.state !== 'open') return;
      acked = true;
      if (p.qos === 1) this.write({ cmd: 'puback', messageId: id });
      else if (p.qos === 2) this.write({ cmd: 'pubrec', messageId: id });
    };
    if (!this.host.publish(this, p, ack)) this.close(`not allowed to publish to '${p.topic}'`);
  }

  /** The board on a serial line started over: the old session ends (abnormally) and this CONNECT opens the next. */
  private restart(p: IConnectPacket): void {
    this.host.closed(this, 'the board connected again on its serial line', false);
    this.subs.clear();
    this.outgoing.clear();
    this.received.clear();
    this.will = undefined;
    this.state = 'new';
    this.connect(p);
  }

  private connect(p: IConnectPacket): void {
    if (p.protocolVersion !== 4) {
      this.write({ cmd: 'connack', returnCode: 1, sessionPresent: false });
      return this.close('refused with CONNACK 1 (MQTT 3.1.1 only)');
    }
    this.state = 'connecting';
    this.deviceId = p.clientId;
    this.host.connect(this, p).then(
      (rc) => this.guard(() => this.accepted(p, rc)),
      (e: Error) => this.guard(() => this.accepted(p, 3, e.message)),
    );
  }

  private accepted(p: IConnectPacket, rc: number, why?: string): void {
    if (this.state !== 'connecting') return;
    this.write({ cmd: 'connack', returnCode: rc, sessionPresent: false });
    if (rc) {
      this.state = 'closed';
      clearTimeout(this.idle);
      for (const [ev, fn] of this.listeners) this.line.off(ev, fn);
      this.line.end();
      this.host.closed(this, `refused with CONNACK ${rc}${why ? `: ${why}` : ''}`, false);
      return;
    }
    this.state = 'open';
    this.will = p.will;
    this.idleMs = Math.min(p.keepalive ? p.keepalive * 1.5 : MAX_IDLE_S, MAX_IDLE_S) * 1000;
    this.touch();
  }
}

/** A socket as a session's line: ended gracefully, destroyed if that stalls. */
export function socketLine(s: Socket): Line {
  // A reset after the session has let go of the socket must not go unheard: Node would throw it.
  s.on('error', () => {});
  return {
    on: (ev: string, fn: Listener) => s.on(ev, fn),
    off: (ev: string, fn: Listener) => s.off(ev, fn),
    write: (b: Buffer) => s.write(b),
    end: () => {
      s.end();
      setTimeout(() => s.destroy(), 2000).unref();
    },
  };
}
