// Packet -> bytes for what a client sends: CONNECT, PUBLISH, PUBACK..PUBCOMP, SUBSCRIBE,
// UNSUBSCRIBE, PINGREQ, DISCONNECT (and UNSUBACK, PINGRESP, which are shaped like them).
// encode.ts plugs in CONNACK and SUBACK, which only a server sends: without it this encoder is
// not for those two.
//
// One routine walks the packet twice: first without a buffer to learn the exact size, then into
// the one buffer it allocates, so sizing and writing cannot disagree.
import type { Packet, QoS, Subscription } from './packet.js';
import { utf8Encode } from './utf8.js';

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

/** A 16-bit number; z: not 0 either. */
function u16(v: number, what: string, z?: 1) {
  if ((v & 65535) !== v || (z && !v)) fail(what, v);
  b(v >> 8);
  b(v);
}
export const id = (v: number) => u16(v, 'packet id', 1);
const qos = (q: QoS) => (q !== (q & 3) % 3 ? fail('qos', q) : q);

// A string as UTF-8, or bytes (a payload or password may be given as either), after their length
// or, for a PUBLISH payload, without. An ASCII string (most topics and ids) is its own UTF-8 and
// goes in byte by byte; other text is converted by utf8Encode, the platform's converter where it
// has one (a regular expression finds out faster than looking character by character).
function raw(v: Uint8Array | string, n?: 1) {
  const k = n ? i : i + 2;
  let j = 0;
  if (typeof v == 'string' && /[^\0-\x7f]/.test(v)) v = utf8Encode(v);
  if (!o) j = v.length;
  else if (typeof v != 'string') o.set(v, k), j = v.length;
  else for (; j < v.length; j++) o[k + j] = v.charCodeAt(j);
  if (!n) u16(j, 'length');
  i = k + j;
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
    raw('MQTT');
    b(4);
    b(f);
    u16(p.keepalive, 'keepalive');
    raw(p.clientId);
    if (v) raw(v.topic), raw(v.payload);
    if (f & 128) raw(p.username!);
    if (f & 64) raw(p.password!);
  } else if (t == 3) {
    // Checked once, in the sizing pass: no wildcards [MQTT-3.3.2-2], not empty [MQTT-4.7.3-1].
    // indexOf is faster than a regular expression here.
    const s = p.topic;
    if (!o && (!s || s.indexOf('#') + s.indexOf('+') > -2)) fail('topic (wildcard or empty topic)', s);
    raw(s);
    if (qos(p.qos)) id(p.id!);
    raw(p.payload, 1);
  } else if (!(x && x(p)) && t < 12) {
    id((p as { id: number }).id);
    if (t == 8) list(p.subs, (s: Subscription) => (raw(s.topic), b(qos(s.qos))));
    if (t == 10) list(p.topics, raw);
  }
}

export function clientEncode(p: Packet, x?: Extra): Uint8Array {
  o = 0;
  i = 0;
  body(p, x);
  let n = i, h = 2;
  for (let k = n; k > 127; k >>= 7) h++;
  if (h > 5) fail('size', n);
  o = new Uint8Array(h + n);
  const t = p.type;
  // PUBLISH carries dup/qos/retain; PUBREL, SUBSCRIBE and UNSUBSCRIBE must have 0010: 0xa80 has
  // bits 7, 9, 11, so that >> t leaves 2 for t = 6, 8, 10.
  // dup and retain are booleans here (the client makes sure), which count as 0 and 1.
  o[0] = t << 4 | (t == 3 ? (p as any).dup << 3 | (p as any).qos << 1 | (p as any).retain : 0xa80 >> t & 2);
  i = 1;
  do b(n > 127 ? n | 128 : n);
  while ((n >>= 7));
  body(p, x);
  const r = o;
  o = 0; // do not keep the packet alive
  return r;
}
