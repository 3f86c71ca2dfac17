// Bytes -> packets, incrementally: the part of the decoder a client needs. It parses everything a
// server sends (CONNACK, PUBLISH, PUBACK..PUBCOMP, SUBACK, UNSUBACK, PINGRESP); decode.ts plugs in
// the packets only a server receives (CONNECT, SUBSCRIBE, UNSUBSCRIBE), which this decoder alone
// reports as a bare { type } so that the session rejects them.
//
// A packet that arrives whole inside one chunk is parsed in place; only a packet split across
// chunks is copied, into a buffer of its own exact size that is never reused, so views handed out
// stay valid. Internally a wire error is a thrown string, caught in push() and handed to onError.
import type { Packet, PublishPacket, QoS, WireError } from './packet.js';
import { utf8Decode } from './utf8.js';

export interface Decoder {
  /** A PUBLISH payload or a password may be a view into the chunk: do not overwrite a chunk
   *  after pushing it. */
  push(chunk: Uint8Array): void;
}

/** Parses the body of a CONNECT (1), SUBSCRIBE (8) or UNSUBSCRIBE (10). */
export type Extra = (type: number) => Packet;

// The packet being parsed is d[p..e). Parsing runs to its end before any callback, so one cursor
// serves every decoder.
let d: Uint8Array, p: number, e: number;

// Only the clause: every byte of text costs RAM on the board, and the clause says it all. A
// clause is a numbered statement of the 3.1.1 spec, [MQTT-<section>-<n>]; where the spec states
// the rule without a number, the section instead: [MQTT-2.2.1] (reserved packet types),
// [MQTT-2.2.3] (remaining length), [MQTT-3.2.2.1] (CONNACK reserved flags; [MQTT-3.2.2-1] is
// about Session Present). Other rules are the decoder's own limits: "[limit] ...".
export function bad(clause: string): never {
  throw '[MQTT-' + clause + ']';
}

const need = (k: number) => p + k > e && bad('4.8.0-1');
export const u8 = () => (need(1), d[p++]!);
export const u16 = () => u8() << 8 | u8();
export const pid = () => u16() || bad('2.3.1-1');

export function bin(): Uint8Array {
  const k = u16();
  need(k);
  return d.subarray(p, p += k);
}

export function str(): string {
  const k = u16(), a = p;
  need(k);
  p += k;
  for (let i = a; i < p; ) d[i++] || bad('1.5.3-2');
  const s = utf8Decode(d, a, p);
  return s == null ? bad('1.5.3-1') : s;
}

/** Items up to the end of the packet; at least one, else the clause. */
export function list<T>(item: () => T, clause: string): T[] {
  const a: T[] = [];
  while (p < e) a.push(item());
  return a.length ? a : bad(clause);
}

function parse(f: number, x?: Extra): Packet {
  const t = f >> 4;
  if (t == 2) {
    const a = u8();
    return a > 1 ? bad('3.2.2.1') : { type: 2, sessionPresent: !!a, rc: u8() };
  }
  if (t == 3) {
    const topic = str(), qos = (f >> 1 & 3) as QoS;
    if (!topic || /[#+]/.test(topic)) bad(topic ? '3.3.2-2' : '4.7.3-1');
    const m = { type: 3, topic, qos, retain: !!(f & 1), dup: !!(f & 8) } as PublishPacket;
    if (qos) m.id = pid();
    m.payload = d.subarray(p, p = e);
    return m;
  }
  // CONNECT, SUBSCRIBE, UNSUBSCRIBE (bits 1, 8, 10).
  if (0x502 >> t & 1) return x ? x(t) : (p = e, { type: t } as Packet);
  if (t > 11) return { type: t as 12 };
  return t == 9
    ? { type: 9, id: pid(), codes: list(() => { const c = u8(); return c > 2 && c != 128 ? bad('3.9.3-2') : c; }, '3.9.3-1') }
    : { type: t as 4, id: pid() };
}

/**
 * maxPacket counts the whole packet, fixed header included. After the first error the decoder
 * is dead and ignores all input: close the connection. Never throws on any input; if onPacket
 * throws, that reaches the caller of push() and the decoder is dead too (the rest of the chunk
 * is lost).
 */
export function clientDecoder(
  maxPacket: number,
  onPacket: (p: Packet) => void,
  onError: (e: WireError) => void,
  x?: Extra,
): Decoder {
  // NaN or a negative limit would silently turn the size check off.
  if (!(maxPacket > 1)) throw new Error('createDecoder: bad maxPacket ' + maxPacket);
  // Fixed header: h bytes seen, first byte f, remaining length n. A split packet's body
  // collects in buf (got bytes so far).
  let dead = false, h = 0, f = 0, n = 0, got = 0, buf: Uint8Array | null = null;

  function emit(src: Uint8Array, s: number, end: number) {
    d = src;
    buf = null;
    p = s;
    e = end;
    const pk = parse(f, x);
    if (p < e) bad('4.8.0-1');
    onPacket(pk);
  }

  return {
    push(c: Uint8Array) {
      const L = c.length;
      let i = 0;
      try {
        while (!dead && i < L) {
          if (buf) {
            const k = Math.min(n - got, L - i);
            buf.set(c.subarray(i, i += k), got);
            if ((got += k) == n) emit(buf, 0, n);
            continue;
          }
          const y = c[i++]!;
          if (!h++) {
            f = y;
            n = 0;
            const t = y >> 4, r = 0x540 >> t & 1;
            if (!t || t > 14) bad('2.2.1');
            // PUBLISH has its own flags; PUBREL, SUBSCRIBE, UNSUBSCRIBE need 0010, the rest 0000.
            if (t == 3 ? (y & 6) == 6 : (y & 15) != r << 1) {
              bad(t == 3 ? '3.3.1-4' : r ? '3.' + t + '.1-1' : '2.2.2-1');
            }
          } else {
            n += (y & 127) << 7 * h - 14;
            if (y & 128) h > 4 && bad('2.2.3');
            else if (h + n > maxPacket) throw '[limit] packet of ' + (h + n) + ' bytes > ' + maxPacket;
            else {
              h = 0;
              if (L - i >= n) emit(c, i, i += n);
              else {
                buf = new Uint8Array(n);
                got = 0;
              }
            }
          }
        }
      } catch (y) {
        dead = true;
        if (typeof y != 'string') throw y;
        onError(y);
      }
    },
  };
}
