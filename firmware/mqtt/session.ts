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
import type { Limits } from './limits.js';
import type { Packet, PublishPacket, QoS } from './codec/packet.js';
import { encode } from './codec/encode.js';
import { utf8Encode } from './codec/utf8.js';
import type { Outbox } from './outbox.js';

export interface SessionOptions {
  clientId: string;
  username?: string;
  password?: string | Uint8Array;
  clean: boolean;
  keepalive?: number;
  will?: { topic: string; payload: string | Uint8Array; qos: QoS; retain: boolean };
}

/** What the session needs from its client. */
export interface Host {
  now(): number;
  /** Write bytes to the current connection. */
  w(b: Uint8Array): void;
  /** The connection must end with this error; retry = reconnect allowed. */
  x(err: string, retry: boolean): void;
  /** CONNACK accepted. */
  c(sessionPresent: boolean): void;
  /** An incoming message, delivered once. */
  m(p: PublishPacket): void;
}

export type Session = ReturnType<typeof createSession>;

const REASONS = ['accepted', 'unacceptable protocol version', 'identifier rejected', 'server unavailable',
  'bad user name or password', 'not authorized'];
// By the type of the packet that awaits the reply.
const NAMES: Record<number, string> = { 1: 'CONNACK', 8: 'SUBACK', 10: 'UNSUBACK', 12: 'PINGRESP' };

export function connackReason(rc: number): string {
  return REASONS[rc] || 'reserved return code';
}

const bytes = (x?: string | Uint8Array) => (typeof x == 'string' ? utf8Encode(x) : x);

export function createSession(o: SessionOptions, l: Limits, ob: Outbox, h: Host) {
  const q = ob.q;
  // A: requests awaiting a reply: CONNECT and PINGREQ (per connection), SUBSCRIBE and UNSUBSCRIBE
  // (kept until answered); t = deadline, unset while not sent on this connection.
  let A: any[] = [], pid = 0, ls = 0, cn: Uint8Array;

  const ka = () => (o.keepalive != null ? o.keepalive : l.keepalive) * 1000;
  const send = (p: Packet) => {
    ls = h.now();
    h.w(encode(p));
  };
  const wait = (e: any) => {
    e.t = h.now() + l.ackTimeout;
    send(e);
  };
  const has = (e: { id?: number }) => e.id == pid;
  const nid = () => {
    do pid = pid % 65535 + 1;
    while (q.some(has) || A.some(has));
    return pid;
  };
  const live = (e: any) => e.dup || e.type > 3;
  // Send queued messages in order while the in-flight window has room.
  const pump = () => {
    let n = 0, i = 0, e: any;
    while ((e = q[i])) {
      if (live(e)) n++, i++;
      else if (e.qos) {
        if (n >= l.inflight) break;
        send(e);
        e.dup = true; // a later re-send is a re-delivery [MQTT-3.3.1-1]
        n++, i++;
      } else {
        send(e);
        q.splice(i, 1);
        if (e.c) e.c();
      }
    }
  };

  const S = {
    /** 0 offline, 1 waiting for CONNACK, 2 connected. */
    st: 0,
    /** Dialling: CONNECT is built now (bad options throw here) and the CONNACK deadline starts. */
    start() {
      const v = o.will;
      cn = encode({
        type: 1, clientId: o.clientId, clean: o.clean, keepalive: ka() / 1000, username: o.username,
        password: bytes(o.password), will: v && { topic: v.topic, payload: bytes(v.payload)!, qos: v.qos, retain: v.retain },
      });
      S.st = 1;
      A.push({ type: 1, t: h.now() + l.ackTimeout });
    },
    /** The socket is open: send CONNECT. */
    open() {
      ls = h.now();
      h.w(cn);
    },
    closed() {
      S.st = 0;
      A = A.filter((e) => e.id);
      for (const e of A) e.t = 0;
    },
    nextDeadline(): number {
      let d = S.st > 1 && ka() ? ls + ka() : -1;
      for (const e of A) if (e.t && (d < 0 || e.t < d)) d = e.t;
      return d;
    },
    tick() {
      const n = h.now(), e = { type: 12 };
      for (const e of A) if (e.t && n >= e.t) return h.x('no ' + NAMES[e.type] + ' within ' + l.ackTimeout + ' ms', true);
      if (S.st > 1 && ka() && n >= ls + ka()) A.push(e), wait(e);
    },
    data(p: Packet) {
      let t: number = p.type, i = 0, e: any;
      const id = (p as { id?: number }).id;
      if (S.st < 2) {
        if (p.type == 2) {
          const rc = p.rc;
          if (rc) return h.x('connection refused: ' + connackReason(rc) + ' (rc ' + rc + ')', rc == 3);
          S.st = 2;
          A = A.filter((e) => e.id);
          if (o.clean) {
            // A new session: the server forgot our ids. Unacknowledged PUBLISHes go again as new
            // ones; a QoS 2 message that got its PUBREC is the server's already, so it is done.
            ob.r.length = 0;
            for (i = q.length; i--; ) {
              e = q[i];
              if (e.dup) e.dup = false;
              else if (e.type > 3) q.splice(i, 1), e.c && e.c();
            }
          } else for (e of q) if (live(e)) send(e); // [MQTT-4.4.0-1]
          A.forEach(wait);
          pump();
          ob.save();
          return h.c(p.sessionPresent);
        }
        t = 0; // anything else before CONNACK breaks [MQTT-3.2.0-1]
      }
      switch (t) {
        case 3: {
          const m = p as PublishPacket, g = m.qos;
          // QoS 2: deliver on the first PUBLISH, then only PUBREC until PUBREL frees the id.
          if (g < 2 || ob.r.indexOf(id!) < 0) {
            if (g > 1) ob.r.push(id!);
            h.m(m);
          }
          if (g) send({ type: g > 1 ? 5 : 4, id: id! });
          break;
        }
        case 4:
        case 5:
        case 7:
          for (; (e = q[i]); i++) {
            if (e.id == id && live(e)) {
              // 1, 2 = QoS of a written PUBLISH; 4 = PUBREL sent, PUBCOMP awaited.
              const g = e.type > 3 ? 4 : e.qos;
              if (t == 5 && g > 1) send((q[i] = { type: 6, id: id!, c: e.c }) as Packet);
              else if (t - 3 == g) {
                q.splice(i, 1);
                if (e.c) e.c();
                pump();
              }
              break;
            }
          }
          break;
        case 6:
          i = ob.r.indexOf(id!);
          if (i >= 0) ob.r.splice(i, 1);
          send({ type: 7, id: id! });
          break;
        case 9:
        case 11:
        case 13:
          for (; (e = A[i]); i++) {
            if (e.type + 1 == t && e.id === id) {
              A.splice(i, 1);
              if (e.c) e.c(p);
              break;
            }
          }
          break;
        default:
          return h.x('[MQTT-' + (S.st < 2 ? '3.2.0-1' : '4.8.0-1') + '] unexpected packet type ' + p.type, true);
      }
      ob.save();
    },
    /** Queues a PUBLISH; returns an error when the queue has no room. Throws on bad arguments. */
    publish(topic: string, payload: string | Uint8Array, qos: QoS, retain: boolean, c?: (err?: string) => void) {
      // encode() throws on a wildcard or a bad qos; an empty topic it would let through [MQTT-4.7.3-1].
      if (!topic) throw new Error('publish: empty topic');
      const err = ob.add({ type: 3, topic, payload: bytes(payload)!, qos, retain, dup: false, id: qos ? nid() : undefined, c });
      if (!err && S.st > 1) pump();
      ob.save();
      return err;
    },
    /** SUBSCRIBE or UNSUBSCRIBE (without its id); c gets the SUBACK or UNSUBACK. */
    req(p: any, c: (p: any) => void) {
      p.id = nid();
      p.c = c;
      encode(p); // bad arguments throw now, not on a later send
      A.push(p);
      if (S.st > 1) wait(p);
    },
  };
  return S;
}
