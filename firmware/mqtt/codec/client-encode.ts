// Packet -> bytes for what a client sends: CONNECT, PUBLISH, PUBACK..PUBCOMP, SUBSCRIBE,
// UNSUBSCRIBE, PINGREQ, DISCONNECT (and UNSUBACK, PINGRESP, which are shaped like them).
// encode.ts plugs in CONNACK and SUBACK for the server side.
//
// One routine walks the packet twice: first without a buffer to learn the exact size, then into
// the one buffer it allocates, so sizing and writing cannot disagree.
import type { Packet, QoS, Subscription } from './packet.js';
import { bytes, utf8Write } from './utf8.js';

/** Writes the body of a packet type the client encoder does not know; returns true if it did. */
export type Extra = (p: Packet) => unknown;

// The buffer being written (0 while sizing) and the write offset. A walk never calls out, so
// one pair serves every call.
let o: Uint8Array | 0, i: number;

export function fail(what: string, v: unknown): never {
  throw new Error('mqtt encode: bad ' + what + ' ' + v);
}

export function b(v: number) {
  if (o) o[i] = v; // the array keeps the low 8 bits
  i++;
}

const w16 = (v: number) => (b(v >> 8), b(v));
const len = (n: number) => (n > 65535 ? fail('length', n) : w16(n));
export const id = (v: number) => (!v || (v & 65535) !== v ? fail('packet id', v) : w16(v));
const qos = (q: QoS) => (q !== (q & 3) % 3 ? fail('qos', q) : q);

// Bytes as they are, or a string as UTF-8 (a payload or password may be given as either).
function raw(v: Uint8Array | string) {
  v = bytes(v);
  if (o) o.set(v, i);
  i += v.length;
}

function bin(v: Uint8Array | string) {
  len(bytes(v).length);
  raw(v);
}

function str(s: string) {
  len(utf8Write(s, 0, 0));
  i = utf8Write(s, o, i);
}

/** Each item of a SUBSCRIBE, SUBACK or UNSUBSCRIBE list, which must not be empty. */
export function list<T>(a: T[], item: (x: T) => void) {
  if (!a.length) fail('list', '[]');
  for (const x of a) item(x);
}

function body(p: Packet, x?: Extra) {
  const t = p.type;
  if (t == 1) {
    const v = p.will;
    const f = (p.username != null ? 128 : 0) | (p.password ? 64 : 0) |
      (v ? (v.retain ? 36 : 4) | qos(v.qos) << 3 : 0) | (p.clean ? 2 : 0);
    if ((f & 192) == 64) fail('password', 'without username [MQTT-3.1.2-22]');
    if ((p.keepalive & 65535) !== p.keepalive) fail('keepalive', p.keepalive);
    str('MQTT');
    b(4);
    b(f);
    w16(p.keepalive);
    str(p.clientId);
    if (v) str(v.topic), bin(v.payload);
    if (f & 128) str(p.username!);
    if (f & 64) bin(p.password!);
  } else if (t == 3) {
    // Checked once, in the sizing pass: no wildcards [MQTT-3.3.2-2], not empty [MQTT-4.7.3-1].
    if (!o && (!p.topic || /[#+]/.test(p.topic))) fail('topic (wildcard or empty topic)', p.topic);
    str(p.topic);
    if (qos(p.qos)) id(p.id!);
    raw(p.payload);
  } else if (!(x && x(p)) && t < 12) {
    id((p as { id: number }).id);
    if (t == 8) list(p.subs, (s: Subscription) => (str(s.topic), b(qos(s.qos))));
    if (t == 10) list(p.topics, str);
  }
}

export function clientEncode(p: Packet, x?: Extra): Uint8Array {
  o = 0;
  i = 0;
  body(p, x);
  let n = i, h = 2;
  if (n > 268435455) fail('size', n);
  for (let k = n; k > 127; k >>= 7) h++;
  o = new Uint8Array(h + n);
  // PUBLISH carries dup/qos/retain; PUBREL, SUBSCRIBE and UNSUBSCRIBE must have 0010 (bits 6, 8, 10).
  const q = p as { dup?: boolean; qos?: number; retain?: boolean };
  o[0] = p.type << 4 | (p.type == 3 ? (q.dup ? 8 : 0) | q.qos! << 1 | (q.retain ? 1 : 0) : 0x540 >> p.type - 1 & 2);
  i = 1;
  do b(n > 127 ? n | 128 : n);
  while ((n >>= 7));
  body(p, x);
  const r = o;
  o = 0; // do not keep the packet alive
  return r;
}
