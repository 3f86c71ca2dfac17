// The public MQTT client: wires the session to hal.transport and hal.clock. One HAL timer at a
// time: the session's next deadline while a connection is up or being dialled, the reconnect
// backoff while it is down. `on` keeps one handler per event; a second call replaces the first.
// Limits and the storage key are read once, at createClient.
//
// Made once: the methods live on prototypes, so a client costs its state and one bound function
// (its timer's callback), a connection one small Link object, and a packet no function at all.
// Names ending in `_` are internal: the build shortens them.
import type { ConnectOptions, Hal, Socket, SocketHandlers } from '../../hal/types.js';
import { DISCONNECT, type Packet, type PublishPacket, type QoS, SUBSCRIBE, type Subscription, UNSUBSCRIBE } from './codec/packet.js';
import { clientDecoder, type Decoder } from './codec/client-decode.js';
import { clientEncode } from './codec/client-encode.js';
import { delay } from './backoff.js';
import { type Limits, withLimits } from './limits.js';
import type { Callback } from './outbox.js';
import { badPacket, connackReason, Session, type SessionOptions } from './session.js';
import { useUtf8 } from './codec/utf8.js';

/** Where to connect (the HAL's ConnectOptions), the session's CONNECT fields, and: */
export interface ClientOptions extends SessionOptions, ConnectOptions {
  limits?: Partial<Limits>;
  /** Default true. */
  reconnect?: boolean;
  /** hal.storage key for the persistent outbox; absent = memory only. */
  store?: string;
}

export interface Client {
  readonly connected: boolean;
  /** Merges opts and (re)connects; session and in-flight state are kept. */
  connect(opts?: Partial<ClientOptions>): void;
  /** cb: QoS 0 when written, QoS 1 on PUBACK, QoS 2 on PUBCOMP, or an error. */
  publish(topic: string, payload: string | Uint8Array, opts?: { qos?: QoS; retain?: boolean }, cb?: (err?: string) => void): void;
  /** codes: granted QoS per filter, 0x80 = refused; err is set when any filter was refused. */
  subscribe(subs: Subscription[], cb?: (err: string | undefined, codes: number[]) => void): void;
  unsubscribe(topics: string[], cb?: (err?: string) => void): void;
  /** DISCONNECT then close; no more reconnects. */
  end(cb?: () => void): void;
  /** Close without DISCONNECT; no reconnect until connect() is called again. */
  drop(): void;
  on(ev: 'connect', fn: (sessionPresent: boolean) => void): void;
  on(ev: 'message', fn: (topic: string, payload: Uint8Array, p: PublishPacket) => void): void;
  on(ev: 'close', fn: (reason: string) => void): void;
  /**
   * The server refused the CONNECT: rc is the CONNACK return code (1 unacceptable protocol
   * version, 2 identifier rejected, 3 server unavailable, 4 bad user name or password, 5 not
   * authorized), reason its meaning, retryIn the ms until the client dials again (the capped
   * backoff; undefined with reconnect: false). Comes after the 'error' event that says the same in
   * words, and before 'close'.
   */
  on(ev: 'refused', fn: (rc: number, reason: string, retryIn?: number) => void): void;
  on(ev: 'error', fn: (msg: string) => void): void;
}

function mix<T>(o: T, x: any): T {
  for (const k in x) (o as any)[k] = x[k];
  return o;
}

export function createClient(hal: Hal, opts: ClientOptions): Client {
  return new MqttClient(hal, opts);
}

// The link whose bytes are being decoded. The decoder calls back inside push(), so one function
// made once serves every connection of every client.
let fed: Link;

/** The decoder's packets, and its wire errors (strings). */
function decoded(packetOrError: Packet | string) {
  const client = fed.client_;
  // A handler may have ended or replaced the connection earlier in the same chunk.
  if (client.link_ != fed) return;
  if (typeof packetOrError == 'string') client.end_(badPacket + packetOrError, true);
  else client.session_.data_(packetOrError);
}

/** One connection's socket handlers. What a connection reports once it is no longer the client's
 *  current one is ignored. */
class Link implements SocketHandlers {
  socket_: Socket | 0 = 0;
  private readonly decoder_: Decoder;

  constructor(readonly client_: MqttClient) {
    this.decoder_ = clientDecoder(client_.session_.limits_.maxPacket, decoded, decoded);
  }

  onOpen() {
    const client = this.client_;
    if (client.link_ != this) return;
    client.session_.open_();
    client.arm_();
  }

  onData(chunk: Uint8Array) {
    const client = this.client_, was = fed;
    if (client.link_ != this) return;
    fed = this;
    this.decoder_.push(chunk);
    fed = was;
    // Connected: CONNACK accepted it, so the reconnect backoff starts over.
    if (client.connected) client.attempts_ = 0;
    client.arm_();
  }

  onError(message: string) {
    const client = this.client_;
    if (client.link_ == this) client.call_(client.handlers_.error, message);
  }

  onClose(reason: string) {
    const client = this.client_;
    if (client.link_ != this) return;
    this.socket_ = 0; // dead already: nothing to close
    client.down_(reason, true);
  }
}

class MqttClient implements Client {
  readonly session_: Session;
  /** Kept by the session. */
  connected = false;
  /** The connection being dialled or up, 0 while down. */
  link_: Link | 0 = 0;
  readonly handlers_: Record<string, Callback | undefined> = {};
  /** The one HAL timer: the session's next deadline while a connection is up or being dialled
   *  (armedFor_), the reconnect delay while down; 0 for none. */
  private timer_ = 0;
  /** Read only while timer_ is set, so set before it is read. */
  private armedFor_!: number;
  /** Dials since the last accepted CONNACK, for the backoff. */
  attempts_ = 0;
  /** end() or drop(): no reconnecting until connect(). */
  private stopped_ = false;
  private readonly options_: ClientOptions;
  private readonly onTimer_: () => void;

  constructor(private readonly hal_: Hal, opts: ClientOptions) {
    // The platform's text converter, for the codec and everything else that decodes text: set
    // here because every topic and packet passes through a client, and the codec is called from
    // places (decoder, outbox) that have no HAL. One board has one converter, whichever client
    // sets it.
    if (hal_.utf8) useUtf8(hal_.utf8);
    const options = (this.options_ = mix({} as ClientOptions, opts));
    this.session_ = new Session(options, withLimits(options.limits), hal_.clock, this, hal_.storage, options.store);
    // The HAL's timers call back with no arguments: one bound function per client.
    this.onTimer_ = this.timerFired_.bind(this);
  }

  connect(changes?: Partial<ClientOptions>) {
    const options = mix(this.options_, changes);
    if (!options.clientId && !options.clean) throw new Error('[MQTT-3.1.3-7] an empty clientId needs clean: true');
    this.bye_('reconnect');
    this.stopped_ = false;
    this.dial_();
  }

  publish(topic: string, payload: string | Uint8Array, opts?: { qos?: QoS; retain?: boolean }, cb?: (err?: string) => void) {
    opts = opts || {};
    const refused = this.session_.publish_(topic, payload, opts.qos || 0, !!opts.retain, cb);
    if (refused) cb ? cb(refused) : this.call_(this.handlers_.error, refused);
    this.arm_();
  }

  subscribe(subs: Subscription[], cb?: (err: string | undefined, codes: number[]) => void) {
    // The encoder throws on an empty list [MQTT-3.8.3-3], a bad filter or qos.
    this.session_.request_({ type: SUBSCRIBE, subs }, cb as Callback);
    this.arm_();
  }

  unsubscribe(topics: string[], cb?: (err?: string) => void) {
    this.session_.request_({ type: UNSUBSCRIBE, topics }, cb);
    this.arm_();
  }

  end(cb?: () => void) {
    this.bye_('end');
    if (cb) cb();
  }

  drop() {
    this.stopped_ = true;
    this.down_('drop', false);
  }

  on(ev: string, fn: Callback) {
    this.handlers_[ev] = fn;
  }

  // --- The session's host (SessionHost)

  write_(packetBytes: Uint8Array) {
    const link = this.link_;
    if (link && link.socket_) link.socket_.write(packetBytes);
  }

  end_(error: string, retry: boolean, refused?: number) {
    const link = this.link_;
    this.call_(this.handlers_.error, error);
    if (link == this.link_) this.down_(error, retry, refused);
  }

  /**
   * App code (handlers and callbacks) runs only through here. What it throws is reported and goes
   * no further: the packet that called it is still acknowledged, the decoder and timers keep
   * going. A throw from the error handler itself has nowhere to go and is dropped.
   */
  call_(handler?: Callback, a?: unknown, b?: unknown, c?: unknown) {
    const onError = this.handlers_.error;
    try {
      if (handler) handler(a, b, c);
    } catch (thrown: any) {
      if (handler != onError) this.call_(onError, 'handler error: ' + (thrown && thrown.message || thrown));
    }
  }

  // --- Connection and timer

  /**
   * After every entry from outside, while a connection is up or being dialled: a timer for the
   * session's next deadline. (While down, the timer is the reconnect delay: left alone.)
   */
  arm_() {
    const clock = this.hal_.clock, deadline = this.session_.nextDeadline_();
    // A timer already set for this deadline or an earlier one stays: when it fires, tick_() does
    // what is due, if anything, and the timer is set again. Most packets only push the keepalive
    // deadline later, so they cost no timer.
    if (!this.link_ || this.timer_ && this.armedFor_ <= deadline) return;
    clock.clearTimer(this.timer_); // 0 (none) is fine too
    this.armedFor_ = deadline;
    this.timer_ = deadline < Infinity ? clock.setTimer(deadline - clock.now(), this.onTimer_) : 0;
  }

  /** refused: the CONNACK return code, for the 'refused' event. */
  down_(reason: string, retry: boolean, refused?: number) {
    const link = this.link_, hal = this.hal_;
    let wait;
    hal.clock.clearTimer(this.timer_);
    this.timer_ = 0;
    if (!link) return;
    this.link_ = 0;
    if (link.socket_) link.socket_.close();
    this.session_.closed_();
    if (retry && this.options_.reconnect !== false && !this.stopped_) {
      this.timer_ = hal.clock.setTimer((wait = delay(this.attempts_++, this.session_.limits_, hal.random)), this.onTimer_);
    }
    if (refused) this.call_(this.handlers_.refused, refused, connackReason(refused), wait);
    this.call_(this.handlers_.close, reason);
  }

  private timerFired_() {
    this.timer_ = 0;
    if (!this.link_) return this.dial_();
    this.session_.tick_();
    this.arm_();
  }

  private dial_() {
    const options = this.options_;
    this.session_.start_(); // throws on options a CONNECT cannot carry, before anything is dialled
    const link = (this.link_ = new Link(this));
    link.socket_ = this.hal_.transport.connect(
      { host: options.host, port: options.port, tls: options.tls, ca: options.ca, cert: options.cert, key: options.key, servername: options.servername },
      link,
    );
    this.arm_();
  }

  private bye_(reason: string) {
    this.stopped_ = true;
    if (this.connected) this.write_(clientEncode({ type: DISCONNECT }));
    this.down_(reason, false);
  }
}
