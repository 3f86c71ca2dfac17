// The MQTT 3.1.1 protocol state machine. It owns no socket and no timer: the client calls
// start/open/data/closed/tick, the session writes bytes through the host and says, through
// nextDeadline(), when it next needs a tick, so every timing path runs in virtual time.
//
// Choices the spec leaves open:
// - One ackTimeout bounds every awaited reply: CONNACK (counted from the dial, so a connect or
//   TLS handshake that hangs is caught too), SUBACK, UNSUBACK and PINGRESP. A missed reply means
//   the connection is dead: it is closed and the client reconnects.
// - PINGREQ goes out when nothing was written for `keepalive` seconds, whatever was received.
// - SUBSCRIBE/UNSUBSCRIBE made while offline, or still unanswered when a connection ends, are
//   (re)sent after the next CONNACK (both are idempotent), so their callbacks always fire.
// - Packet ids are given when a message is queued and skip every id still held by a queued or
//   in-flight PUBLISH or a pending SUBSCRIBE/UNSUBSCRIBE.
// - An incoming message counts as delivered once the app's handler has run, even if it threw (the
//   host catches that): it is acknowledged, and a QoS 2 id is remembered. Refusing it would make
//   the server send it again to the same handler, over and over.
import type { Limits } from './limits.js';
import type { Packet, PublishPacket, QoS } from './codec/packet.js';
import { clientEncode as encode } from './codec/client-encode.js';
import { bytes } from './codec/utf8.js';
import type { Outbox } from './outbox.js';

export interface SessionOptions {
  clientId: string;
  username?: string;
  password?: string | Uint8Array;
  clean: boolean;
  keepalive?: number;
  will?: { topic: string; payload: string | Uint8Array; qos: QoS; retain: boolean };
}

/**
 * What the session needs from its client, as arguments of createSession: a clock (now()), and
 * w(bytes): write to the current connection; x(err, retry): the connection must end with this
 * error, retry = reconnect allowed; c(sessionPresent): CONNACK accepted; m(p): an incoming
 * message, delivered once; k(f, a): run the app's callback f(a), f may be unset; c, m and k must
 * not throw.
 */
export type Write = (b: Uint8Array) => void;

export type Session = ReturnType<typeof createSession>;

const REASONS = ['accepted', 'unacceptable protocol version', 'identifier rejected', 'server unavailable',
  'bad user name or password', 'not authorized'];
// By the type of the packet that awaits the reply.
const NAMES: Record<number, string> = { 1: 'CONNACK', 8: 'SUBACK', 10: 'UNSUBACK', 12: 'PINGRESP' };

export function connackReason(rc: number): string {
  return REASONS[rc] || 'reserved return code';
}

/** An entry of the outbox list or of the awaited replies: a packet plus what the session adds. */
type Entry = { type: number; id?: number; dup?: boolean; qos?: QoS; t?: number; c?: (x?: any) => void };

export function createSession(
  o: SessionOptions, l: Limits, ob: Outbox, ck: { now(): number }, w: Write,
  x: (err: string, retry: boolean) => void, c: (sessionPresent: boolean) => void, m: (p: PublishPacket) => void,
  k: (f?: (a?: any) => void, a?: any) => void,
) {
  const q = ob.q as Entry[], r = ob.r;
  // A: requests awaiting a reply: CONNECT (first, while dialling) and PINGREQ (per connection),
  // SUBSCRIBE and UNSUBSCRIBE (kept until answered). t = deadline, unset or NaN while not sent on
  // this connection (every comparison with it is false). Entries are sent in list order, all
  // with the same timeout, so A[0] holds the earliest deadline. ka = keepalive in seconds.
  let A: Entry[] = [], pid = 0, ls = 0, ka = 0, cp: any;

  // Only CONNECT goes out before CONNACK. An app handler may end or restart the connection while
  // a packet is being handled: the reply to it then has no connection to go to.
  const send = (p: any) => {
    if (S.st > 1 || p == cp) {
      ls = ck.now();
      w(encode(p));
    }
  };
  const wait = (e: Entry) => {
    e.t = ck.now() + l.ackTimeout;
    send(e);
  };
  const has = (e: { id?: number }) => e.id == pid;
  const nid = () => {
    do pid = pid % 65535 + 1;
    while (q.some(has) || A.some(has));
    return pid;
  };
  // Written on this or an earlier connection: a PUBLISH with dup set, or a PUBREL.
  const live = (e: Entry) => e.dup || e.type > 3;
  const done = (i: number) => {
    k(q.splice(i, 1)[0]!.c);
  };
  // Send queued messages in order while the in-flight window has room; all: re-send the ones in
  // flight too (after CONNACK, in their original order [MQTT-4.4.0-1] [MQTT-4.6.0-1]).
  const pump = (all?: 1) => {
    let n = 0, i = 0, e;
    for (; S.st > 1 && (e = q[i]); n++, i++) {
      if (live(e)) {
        if (all) send(e);
      } else if (!e.qos) {
        send(e);
        done(i--);
        n--;
      } else if (n < l.inflight) {
        send(e);
        e.dup = true; // a later re-send is a re-delivery [MQTT-3.3.1-1]
      } else break;
    }
  };
  const ping = () => S.st > 1 && ka ? ls + ka * 1000 : 1 / 0;

  const S = {
    /** 0 offline, 1 waiting for CONNACK, 2 connected. */
    st: 0,
    /** Dialling: CONNECT is built now (bad options throw here) and the CONNACK deadline starts. */
    start() {
      ka = o.keepalive != null ? o.keepalive : l.keepalive;
      // The options themselves, seen through a CONNECT: the encoder reads clientId, clean,
      // username, password (string or bytes) and will, and nothing else.
      cp = Object.create(o);
      cp.type = 1;
      cp.keepalive = ka;
      encode(cp);
      S.st = 1;
      A.unshift({ type: 1, t: ck.now() + l.ackTimeout });
    },
    /** The socket is open: send CONNECT. */
    open() {
      send(cp);
    },
    closed() {
      S.st = 0;
      A = A.filter((e) => (e.t = NaN, e.id));
    },
    /** The server broke the protocol (e: a wire error, from the decoder or from data()). */
    bad(e: string) {
      x('bad packet from server: ' + e, true);
    },
    /** When tick() is next needed, Infinity for never. */
    nextDeadline(): number {
      const e = A[0], d = ping();
      return e && e.t! < d ? e.t! : d;
    },
    tick() {
      const n = ck.now(), e = A[0], p = { type: 12 };
      if (e && n >= e.t!) x('no ' + NAMES[e.type] + ' within ' + l.ackTimeout + ' ms', true);
      else if (n >= ping()) A.push(p), wait(p);
    },
    data(p: Packet) {
      const t = p.type, id = (p as { id: number }).id, f = S.st < 2;
      let i = 0, e: Entry | undefined;
      // Before CONNACK only CONNACK [MQTT-3.2.0-1]; after it what a server may send (3-7, 9, 11, 13).
      if (!((f ? 4 : 0x2af8) >> t & 1)) {
        return S.bad('[MQTT-' + (f ? '3.2.0-1' : '4.8.0-1') + '] unexpected packet type ' + t);
      }
      if (t == 2) {
        const rc = p.rc;
        if (rc) return x('connection refused: ' + connackReason(rc) + ' (rc ' + rc + ')', rc == 3);
        S.st = 2;
        A.shift();
        if (o.clean) {
          // A new session: the server forgot our ids. Unacknowledged PUBLISHes go again as new
          // ones; a QoS 2 message that got its PUBREC is the server's already, so it is done.
          r.splice(0);
          for (i = q.length; i--; ) {
            e = q[i]!;
            if (e.dup) e.dup = false;
            else if (e.type > 3) done(i);
          }
        }
        A.forEach(wait);
        pump(1);
      } else if (t == 3) {
        const g = p.qos;
        // QoS 2: deliver on the first PUBLISH, then only PUBREC until PUBREL frees the id.
        if (g < 2 || r.indexOf(id) < 0) {
          if (g > 1) r.push(id);
          m(p);
        }
        if (g) send({ type: 3 + g, id });
      } else if (t == 6) {
        i = r.indexOf(id);
        if (i >= 0) r.splice(i, 1);
        send({ type: 7, id });
      } else if (t < 8) {
        for (; (e = q[i]); i++) {
          if (e.id == id && live(e)) {
            // 1, 2 = QoS of a written PUBLISH; 4 = PUBREL sent, PUBCOMP awaited.
            const g = e.type > 3 ? 4 : e.qos;
            if (t == 5 && g! > 1) send((q[i] = { type: 6, id, c: e.c }));
            else if (t - 3 == g) done(i), pump();
            break;
          }
        }
      } else {
        // SUBACK, UNSUBACK, PINGRESP: the reply to the request of the type before it.
        for (; (e = A[i]); i++) {
          if (e.type + 1 == t && e.id === id) {
            A.splice(i, 1);
            k(e.c, (p as { codes?: number[] }).codes);
            break;
          }
        }
      }
      ob.save();
      if (t == 2) c(p.sessionPresent);
    },
    /** Queues a PUBLISH; returns an error when the queue has no room. Throws on bad arguments. */
    publish(topic: string, payload: string | Uint8Array, qos: QoS, retain: boolean, c?: (err?: string) => void) {
      // encode() throws on a wildcard, an empty topic or a bad qos.
      const err = ob.add({ type: 3, topic, payload: bytes(payload), qos, retain, id: qos && nid(), c });
      pump();
      ob.save();
      return err;
    },
    /** SUBSCRIBE or UNSUBSCRIBE (without its id); c gets the SUBACK's codes, or nothing for an UNSUBACK. */
    req(p: any, c?: (codes?: any) => void) {
      p.id = nid();
      p.c = c;
      encode(p); // bad arguments throw now, not on a later send
      A.push(p);
      if (S.st > 1) wait(p);
    },
  };
  return S;
}
