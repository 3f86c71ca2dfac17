// The public MQTT client: wires the session to hal.transport and hal.clock. One HAL timer at a
// time: the session's next deadline while a connection is up or being dialled, the reconnect
// backoff while it is down. `on` keeps one handler per event; a second call replaces the first.
// Limits and the storage key are read once, at createClient.
import type { ConnectOptions, Hal } from '../../hal/types.js';
import type { PublishPacket, QoS, Subscription } from './codec/packet.js';
import { clientDecoder } from './codec/client-decode.js';
import { clientEncode } from './codec/client-encode.js';
import { delay } from './backoff.js';
import { type Limits, withLimits } from './limits.js';
import { createOutbox } from './outbox.js';
import { createSession, type SessionOptions } from './session.js';
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
  on(ev: 'error', fn: (msg: string) => void): void;
}

const mix = (o: any, x: any) => {
  for (const k in x) o[k] = x[k];
  return o;
};

export function createClient(hal: Hal, opts: ClientOptions): Client {
  // The platform's text converter, for the codec and everything else that decodes text: set here
  // because every topic and packet passes through a client, and the codec is called from places
  // (decoder, outbox) that have no HAL. One board has one converter, whichever client sets it.
  if (hal.utf8) useUtf8(hal.utf8);
  const o: ClientOptions = mix({}, opts), l = withLimits(o.limits), ck = hal.clock, H: any = {};
  // cur: the connection being dialled or up ({s: socket}), 0 when down.
  let cur: any = 0, tm = 0, att = 0, stop = false;

  // App code (handlers and callbacks) runs only through here. What it throws is reported and goes
  // no further: the packet that called it is still acknowledged, the decoder and timers keep
  // going. A throw from the error handler itself has nowhere to go and is dropped.
  const call = (f?: any, a?: any, b?: any, c?: any) => {
    try {
      f && f(a, b, c);
    } catch (y: any) {
      if (f != H.error) err('handler error: ' + (y && y.message || y));
    }
  };
  const emit = (e: string, a?: any, b?: any, c?: any) => call(H[e], a, b, c);
  const err = (m: string) => emit('error', m);
  const clr = () => {
    if (tm) ck.clearTimer(tm);
    tm = 0;
  };
  // After every entry from outside, while a connection is up or being dialled: one timer for the
  // session's next deadline. (While down, the timer is the reconnect delay: left alone.)
  const arm = () => {
    if (cur) {
      clr();
      const d = S.nextDeadline();
      if (d < 1 / 0) tm = ck.setTimer(d - ck.now(), tick);
    }
  };
  // Made once: a closure per arm() would be garbage after every packet.
  const tick = () => run(S.tick);
  const run = (f: (x?: any) => void, x?: any) => {
    f(x);
    arm();
  };
  const down = (r: string, retry: boolean) => {
    clr();
    const c = cur;
    if (!c) return;
    cur = 0;
    if (c.s) c.s.close();
    S.closed();
    if (retry && o.reconnect !== false && !stop) tm = ck.setTimer(delay(att++, l, hal.random), go);
    emit('close', r);
  };
  const fail = (m: string, retry: boolean) => {
    const c = cur;
    err(m);
    if (c == cur) down(m, retry);
  };
  const go = () => {
    S.start();
    const c: any = (cur = {});
    // Calls from a connection that is no longer the current one are ignored.
    const g = (f: (x?: any) => void) => (x?: any) => cur == c && run(f, x);
    const d = clientDecoder(l.maxPacket, g(S.data), g(S.bad));
    c.s = hal.transport.connect(
      { host: o.host, port: o.port, tls: o.tls, ca: o.ca, cert: o.cert, key: o.key, servername: o.servername },
      {
        onOpen: g(S.open),
        onData: g(d.push),
        onError: g(err),
        onClose: g((r) => {
          c.s = 0; // dead already: nothing to close
          down(r, true);
        }),
      },
    );
    arm();
  };
  const bye = (r: string) => {
    stop = true;
    if (S.st > 1) cur.s.write(clientEncode({ type: 14 }));
    down(r, false);
  };

  const S = createSession(o, l, createOutbox(l, hal.storage, o.store), ck, (b) => cur.s.write(b), fail, (sp) => {
    att = 0;
    emit('connect', sp);
  }, (p) => emit('message', p.topic, p.payload, p), call);

  return {
    get connected() {
      return S.st > 1;
    },
    connect(x) {
      mix(o, x);
      if (!o.clientId && !o.clean) throw new Error('[MQTT-3.1.3-7] an empty clientId needs clean: true');
      bye('reconnect');
      stop = false;
      go();
    },
    publish(t, p, op, cb) {
      op = op || {};
      const e = S.publish(t, p, op.qos || 0, !!op.retain, cb);
      if (e) (cb || err)(e);
      arm();
    },
    subscribe(subs, cb) {
      // encode() throws on an empty list [MQTT-3.8.3-3], a bad filter or qos.
      S.req({ type: 8, subs }, (c) => cb && cb(c!.indexOf(128) < 0 ? undefined : 'subscribe refused (0x80)', c!));
      arm();
    },
    unsubscribe(topics, cb) {
      S.req({ type: 10, topics }, cb);
      arm();
    },
    end(cb) {
      bye('end');
      if (cb) cb();
    },
    drop() {
      stop = true;
      down('drop', false);
    },
    on(ev: string, fn: any) {
      H[ev] = fn;
    },
  };
}
