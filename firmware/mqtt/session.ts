// The MQTT 3.1.1 protocol state machine. It owns no socket and no timer: the client calls
// start_/open_/data_/closed_/tick_, the session writes bytes through its host and says, through
// nextDeadline_(), when it next needs a tick, so every timing path runs in virtual time.
//
// Choices the spec leaves open:
// - One ackTimeout bounds every awaited reply: CONNACK (counted from the dial, so a connect or
//   TLS handshake that hangs is caught too), SUBACK, UNSUBACK and PINGRESP. A missed reply means
//   the connection is dead: it is closed and the client reconnects.
// - PINGREQ goes out when nothing was written for `keepalive` seconds, whatever was received.
// - SUBSCRIBE/UNSUBSCRIBE made while offline, or still unanswered when a connection ends, are
//   (re)sent after the next CONNACK (both are idempotent), so their callbacks always fire.
// - Packet ids are given when a message is queued and skip every id still in use.
// - An incoming message counts as delivered once the app's handler has run, even if it threw (the
//   host catches that): it is acknowledged, and a QoS 2 id is remembered. Refusing it would make
//   the server send it again to the same handler, over and over.
// - At most limits.incomingQos2 incoming QoS 2 messages await their PUBREL: one more closes the
//   connection, undelivered and unacknowledged, and the client reconnects.
//
// Every packet is encoded once, when it is made: the session keeps its bytes (outbox.ts, Entry).
// Methods and properties end in `_`: the build shortens them (the client is the public surface).
import type { Limits } from './limits.js';
import {
  CONNACK, CONNECT, type Packet, PINGREQ, PINGRESP, PUBACK, PUBCOMP, PUBLISH, type PublishPacket, PUBREC, PUBREL,
  type QoS, SUBACK, type SubscribePacket, type UnsubscribePacket,
} from './codec/packet.js';
import { clientEncode, encodePublish } from './codec/client-encode.js';
import { bytes } from './codec/utf8.js';
import type { Storage } from '../../hal/types.js';
import { ack, type Callback, type Entry, type Outbox, restore, save } from './outbox.js';

export interface SessionOptions {
  clientId: string;
  username?: string;
  /** Or a function, called at each dial: for a credential that must be fresh (a SAS token). */
  password?: string | Uint8Array | (() => string);
  clean: boolean;
  keepalive?: number;
  will?: { topic: string; payload: string | Uint8Array; qos: QoS; retain: boolean };
}

/** What the session needs from its client. None of these may throw. */
export interface SessionHost {
  /** Set by the session: CONNACK accepted this connection. */
  connected: boolean;
  /** The app's handlers: connect(sessionPresent) once CONNACK accepted the connection,
   *  message(topic, payload, packet) for each incoming message, delivered once. */
  handlers_: { connect?: Callback; message?: Callback };
  /** Writes to the current connection. */
  write_(b: Uint8Array): void;
  /** The connection must end with this error; retry: reconnecting is allowed; refused: the
   *  CONNACK return code that refused it. */
  end_(error: string, retry: boolean, refused?: number): void;
  /** Runs the app's callback or handler f, which may be unset, with a, b and c. */
  call_(f: Callback | undefined, a?: unknown, b?: unknown, c?: unknown): void;
}

/** A SUBSCRIBE or UNSUBSCRIBE without its packet id, which the session gives. */
export type Request = Omit<SubscribePacket, 'id'> | Omit<UnsubscribePacket, 'id'>;

/** What the client's error begins with when a server breaks the protocol, here and in its decoder. */
export const badPacket = 'bad packet from server: ';

export function connackReason(rc: number): string {
  // Made per call, not kept: a refusal is rare and every array element costs RAM on a board.
  return ['accepted', 'unacceptable protocol version', 'identifier rejected', 'server unavailable',
    'bad user name or password', 'not authorized'][rc] || 'reserved return code';
}

const typeOf = (entry: Entry) => entry.bytes_[0]! >> 4;

export class Session implements Outbox {
  /** 0 offline, 1 waiting for CONNACK, 2 connected. */
  state_ = 0;
  readonly queue_: Entry[] = [];
  readonly incoming_: number[] = [];
  /** Unset (false) until the first change. */
  dirty_!: boolean;
  /**
   * Requests awaiting a reply: CONNECT (first, while dialling) and PINGREQ (per connection),
   * SUBSCRIBE and UNSUBSCRIBE (kept until answered). All are sent in list order with the same
   * timeout, so awaited_[0] holds the earliest deadline.
   */
  awaited_: Entry[] = [];
  private lastId_ = 0;
  /** When we last wrote, for keepalive; set by open_(), before it is read (connected only). */
  private lastWrite_!: number;
  /** Seconds, as sent in the CONNECT; set by start_(). */
  private keepalive_!: number;

  constructor(
    readonly options_: SessionOptions,
    readonly limits_: Limits,
    private readonly clock_: { now(): number },
    private readonly host_: SessionHost,
    readonly storage_: Storage,
    readonly key_?: string,
  ) {
    restore(this);
  }

  /** Dialling: CONNECT is encoded now (bad options throw here) and the CONNACK deadline starts. */
  start_(): void {
    const options = this.options_, limits = this.limits_;
    // The options themselves, seen through a CONNECT: the encoder reads clientId, clean,
    // username, password (string or bytes) and will, and nothing else.
    const connect = Object.create(options);
    connect.type = CONNECT;
    connect.keepalive = this.keepalive_ = options.keepalive != null ? options.keepalive : limits.keepalive;
    if (typeof options.password == 'function') connect.password = options.password();
    const encoded = clientEncode(connect);
    this.state_ = 1;
    this.awaited_.unshift({ bytes_: encoded, id_: 0, deadline_: this.clock_.now() + limits.ackTimeout });
  }

  /** The socket is open: send CONNECT (awaited_[0] since start_()), the only packet that goes
   *  before CONNACK. */
  open_(): void {
    this.lastWrite_ = this.clock_.now();
    this.host_.write_(this.awaited_[0]!.bytes_);
  }

  closed_(): void {
    const awaited = this.awaited_;
    this.state_ = 0;
    this.host_.connected = false;
    // CONNECT and PINGREQ belong to the connection; SUBSCRIBE and UNSUBSCRIBE wait for the next.
    for (let i = awaited.length; i--; ) {
      awaited[i]!.deadline_ = NaN;
      if (!awaited[i]!.id_) awaited.splice(i, 1);
    }
  }

  /** When tick_() is next needed, Infinity for never. */
  nextDeadline_(): number {
    const first = this.awaited_[0];
    const ping = this.state_ > 1 && this.keepalive_ ? this.lastWrite_ + this.keepalive_ * 1000 : Infinity;
    return first && first.deadline_! < ping ? first.deadline_! : ping;
  }

  tick_(): void {
    const now = this.clock_.now(), first = this.awaited_[0];
    if (first && now >= first.deadline_!) {
      const reply = { 1: 'CONNACK', 8: 'SUBACK', 10: 'UNSUBACK', 12: 'PINGRESP' }[typeOf(first) as 1];
      this.host_.end_('no ' + reply + ' within ' + this.limits_.ackTimeout + ' ms', true);
    } else if (now >= this.nextDeadline_()) {
      // Not a reply that is late: keepalive is due.
      const ping = { bytes_: clientEncode({ type: PINGREQ }), id_: 0 };
      this.awaited_.push(ping);
      this.await_(ping);
    }
  }

  data_(packet: Packet): void {
    const packetType = packet.type, id = (packet as { id: number }).id, early = this.state_ < 2, host = this.host_;
    const queue = this.queue_, incoming = this.incoming_;
    let i = 0, entry: Entry | undefined;
    // Before CONNACK only CONNACK [MQTT-3.2.0-1]. After it what a server may send: PUBLISH to
    // PUBCOMP, then the odd types SUBACK, UNSUBACK, PINGRESP (the even ones are the client's).
    if (!(early ? packetType == CONNACK : packetType >= PUBLISH && (packetType <= PUBCOMP || packetType & 1 && packetType <= PINGRESP))) {
      return host.end_(badPacket + '[MQTT-' + (early ? '3.2.0-1' : '4.8.0-1') + '] unexpected packet type ' + packetType, true);
    }
    if (packetType == CONNACK) {
      const rc = packet.rc;
      // Any refusal is tried again: a key or a clock can be fixed while the board runs.
      if (rc) return host.end_('connection refused: ' + connackReason(rc) + ' (rc ' + rc + ')', true, rc);
      this.state_ = 2;
      host.connected = true;
      this.awaited_.shift();
      if (this.options_.clean) {
        // A new session: the server forgot our ids. Unacknowledged PUBLISHes go again as new
        // ones; a QoS 2 message that got its PUBREC is the server's already, so it is done.
        // Not `length = 0`: Espruino's array length is read-only (assigning it throws). Both
        // splice arguments: ES5 engines (mujs) read a missing count as 0.
        incoming.splice(0, incoming.length);
        for (i = queue.length; i--; ) {
          entry = queue[i]!;
          if (typeOf(entry) == PUBREL) this.done_(i);
          else if (entry.sent_) {
            entry.sent_ = false;
            entry.bytes_[0] = entry.bytes_[0]! & ~8;
          }
        }
        this.dirty_ = true;
      }
      this.awaited_.forEach(this.await_, this);
      this.pump_(true);
    } else if (packetType == PUBLISH) {
      const qos = packet.qos;
      // QoS 2: deliver on the first PUBLISH, then only PUBREC until PUBREL frees the id.
      if (qos < 2 || incoming.indexOf(id) < 0) {
        if (qos > 1) {
          const max = this.limits_.incomingQos2;
          if (incoming.length >= max) {
            return host.end_('too many QoS 2 messages await PUBREL (limits.incomingQos2 = ' + max + ')', true);
          }
          incoming.push(id);
          this.dirty_ = true;
        }
        host.call_(host.handlers_.message, packet.topic, packet.payload, packet);
      }
      if (qos) this.send_(ack(qos > 1 ? PUBREC : PUBACK, id));
    } else if (packetType == PUBREL) {
      i = incoming.indexOf(id);
      if (i >= 0) incoming.splice(i, 1), this.dirty_ = true;
      this.send_(ack(PUBCOMP, id));
    } else if (packetType <= PUBCOMP) {
      // PUBACK, PUBREC or PUBCOMP: for the written entry with that id, if it awaits this one.
      for (; (entry = queue[i]); i++) {
        if (entry.id_ == id && entry.sent_) {
          // A PUBREL awaits PUBCOMP; a PUBLISH PUBACK at QoS 1 (flags 0010), PUBREC at QoS 2.
          const awaits = typeOf(entry) == PUBREL ? PUBCOMP : entry.bytes_[0]! & 2 ? PUBACK : PUBREC;
          if (packetType != PUBREC) {
            if (packetType == awaits) this.done_(i), this.pump_();
          } else if (awaits != PUBACK) {
            // The PUBREL replaces the PUBLISH until PUBCOMP; a repeated PUBREC gets it again.
            if (awaits == PUBREC) {
              queue[i] = entry = { bytes_: ack(PUBREL, id), id_: id, cb_: entry.cb_, sent_: true };
              this.dirty_ = true;
            }
            this.send_(entry.bytes_);
          }
          break;
        }
      }
    } else {
      // SUBACK, UNSUBACK, PINGRESP: the reply to the request of the type before it (a PINGRESP
      // has no id, a PINGREQ entry has id 0 and no callback). Only a SUBACK has codes.
      for (; (entry = this.awaited_[i]); i++) {
        if (typeOf(entry) == packetType - 1 && entry.id_ == (id | 0)) {
          this.awaited_.splice(i, 1);
          host.call_(entry.cb_, packetType == SUBACK && packet.codes.indexOf(128) >= 0 ? 'subscribe refused (0x80)' : undefined, (packet as { codes?: number[] }).codes);
          break;
        }
      }
    }
    save(this);
    if (packetType == CONNACK) host.call_(host.handlers_.connect, packet.sessionPresent);
  }

  /** Queues a PUBLISH; returns an error when the queue has no room (limits.queueBytes). Throws on
   *  bad arguments. */
  publish_(topic: string, payload: string | Uint8Array, qos: QoS, retain: boolean, cb?: Callback): string | undefined {
    // The encoder throws on a wildcard, an empty topic or a bad qos.
    const id = qos ? this.nextId_() : 0;
    const encoded = encodePublish(topic, bytes(payload), qos, retain, id);
    const max = this.limits_.queueBytes;
    let used = 0;
    this.queue_.forEach((entry) => used += entry.bytes_.length);
    // Full: refused, and nothing already queued is dropped.
    if (used + encoded.length > max) return 'offline queue full: ' + used + ' bytes used of ' + max;
    this.queue_.push({ bytes_: encoded, id_: id, cb_: cb });
    this.dirty_ = true;
    this.pump_();
    save(this);
  }

  /** SUBSCRIBE (cb gets an error if any filter was refused, and the SUBACK's codes) or UNSUBSCRIBE. */
  request_(request: Request, cb?: Callback): void {
    const id = this.nextId_();
    (request as SubscribePacket).id = id;
    // Encoded now: bad arguments throw here, not on a later send.
    const entry: Entry = { bytes_: clientEncode(request as SubscribePacket), id_: id, cb_: cb };
    this.awaited_.push(entry);
    if (this.state_ > 1) this.await_(entry);
  }

  /** Writes, once connected (a handler may have ended the connection: a reply has nowhere to go). */
  private send_(packetBytes: Uint8Array): void {
    if (this.state_ > 1) {
      this.lastWrite_ = this.clock_.now();
      this.host_.write_(packetBytes);
    }
  }

  /** Sends a request whose reply is awaited, from now on. */
  private await_(entry: Entry): void {
    entry.deadline_ = this.clock_.now() + this.limits_.ackTimeout;
    this.send_(entry.bytes_);
  }

  /** The next packet id that no queued or in-flight message and no unanswered request holds. */
  private nextId_(): number {
    let id = this.lastId_;
    const held = (entry: Entry) => entry.id_ == id;
    do id = id % 65535 + 1; while (this.queue_.some(held) || this.awaited_.some(held));
    return (this.lastId_ = id);
  }

  /** The outbox entry at i is done: it leaves the list and its callback runs. */
  private done_(index: number): void {
    this.dirty_ = true;
    this.host_.call_(this.queue_.splice(index, 1)[0]!.cb_);
  }

  /**
   * Sends queued messages in order while the in-flight window has room; all: re-sends the ones in
   * flight too, with DUP (after CONNACK, in their original order [MQTT-4.4.0-1] [MQTT-4.6.0-1]).
   */
  private pump_(all?: boolean): void {
    const queue = this.queue_;
    let inFlight = 0, i = 0, entry;
    for (; this.state_ > 1 && (entry = queue[i]); inFlight++, i++) {
      if (entry.sent_) {
        if (!all) continue;
        if (typeOf(entry) == PUBLISH) entry.bytes_[0] = entry.bytes_[0]! | 8; // a re-delivery [MQTT-3.3.1-1]
        this.send_(entry.bytes_);
      } else if (!(entry.bytes_[0]! & 6)) {
        // QoS 0: written, done.
        this.send_(entry.bytes_);
        this.done_(i--);
        inFlight--;
      } else if (inFlight < this.limits_.inflight) {
        this.send_(entry.bytes_);
        entry.sent_ = this.dirty_ = true;
      } else break;
    }
  }
}
