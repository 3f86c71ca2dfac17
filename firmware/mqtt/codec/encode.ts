// Packet -> bytes. One routine walks the packet twice: first without a buffer to learn the exact
// size, then into the one buffer it allocates, so sizing and writing cannot disagree.
import type { AckPacket, Packet, QoS, Subscription } from './packet.js';
import { utf8Write } from './utf8.js';

type Out = Uint8Array | null;

function fail(what: string, v: unknown): never {
  throw new Error('mqtt encode: bad ' + what + ' ' + v);
}

const qos = (q: QoS) => (q !== (q & 3) % 3 ? fail('qos', q) : q);
const b = (o: Out, i: number, v: number) => (o && (o[i] = v), i + 1);
const u16 = (o: Out, i: number, v: number) => b(o, b(o, i, v >> 8), v);
const id = (o: Out, i: number, v: number) => (!v || (v & 65535) !== v ? fail('packet id', v) : u16(o, i, v));
const len = (o: Out, i: number, n: number) => (n > 65535 ? fail('length', n) : u16(o, i, n));

function str(o: Out, i: number, s: string): number {
  // Sizing a printable-ASCII string needs no walk (topics almost always are); the regex is
  // native and about twice as fast as the loop.
  const e = o || /[^ -~]/.test(s) ? utf8Write(s, o, i + 2) : i + 2 + s.length;
  len(o, i, e - i - 2);
  return e;
}

function bin(o: Out, i: number, v: Uint8Array): number {
  if (o) o.set(v, i + 2);
  return len(o, i, v.length) + v.length;
}

function body(p: Packet, o: Out, i: number): number {
  const t = p.type;
  if (t == 1) {
    const w = p.will;
    const f = (p.username != null ? 128 : 0) | (p.password ? 64 : 0) |
      (w ? (w.retain ? 36 : 4) | qos(w.qos) << 3 : 0) | (p.clean ? 2 : 0);
    if ((f & 192) == 64) fail('password', 'without username [MQTT-3.1.2-22]');
    if ((p.keepalive & 65535) !== p.keepalive) fail('keepalive', p.keepalive);
    i = str(o, u16(o, b(o, b(o, str(o, i, 'MQTT'), 4), f), p.keepalive), p.clientId);
    if (w) i = bin(o, str(o, i, w.topic), w.payload);
    if (f & 128) i = str(o, i, p.username!);
    return f & 64 ? bin(o, i, p.password!) : i;
  }
  if (t == 2) return b(o, b(o, i, p.sessionPresent ? 1 : 0), p.rc);
  if (t == 3) {
    // Checked once, in the sizing pass: no wildcards [MQTT-3.3.2-2], not empty [MQTT-4.7.3-1].
    if (!o && (!p.topic || /[#+]/.test(p.topic))) fail('topic (wildcard or empty topic)', p.topic);
    i = str(o, i, p.topic);
    if (qos(p.qos)) i = id(o, i, p.id!);
    if (o) o.set(p.payload, i);
    return i + p.payload.length;
  }
  if (t > 11) return i;
  i = id(o, i, (p as AckPacket).id);
  if (t < 8 || t == 11) return i;
  const a: unknown[] = t == 8 ? p.subs : t == 9 ? p.codes : (p as { topics: string[] }).topics;
  if (!a.length) fail('list', '[]');
  for (const x of a) {
    i = t == 9 ? b(o, i, x as number) : t == 10 ? str(o, i, x as string)
      : b(o, str(o, i, (x as Subscription).topic), qos((x as Subscription).qos));
  }
  return i;
}

/** Throws (a programmer error) on a packet that cannot be put on the wire as given. */
export function encode(p: Packet): Uint8Array {
  let n = body(p, null, 0), h = 2;
  if (n > 268435455) fail('size', n);
  for (let k = n; k > 127; k >>= 7) h++;
  const o = new Uint8Array(h + n);
  // PUBLISH carries dup/qos/retain; PUBREL, SUBSCRIBE and UNSUBSCRIBE must have 0010 (bits 6, 8, 10).
  o[0] = p.type << 4 | (p.type == 3 ? (p.dup ? 8 : 0) | p.qos << 1 | (p.retain ? 1 : 0) : (0x540 >> p.type & 1) << 1);
  for (let i = 1; i < h; i++, n >>= 7) o[i] = n & 127 | (i < h - 1 ? 128 : 0);
  body(p, o, h);
  return o;
}
