// Bytes -> packets, incrementally. A packet that arrives whole inside one chunk is parsed in
// place; only a packet split across chunks is copied, into a buffer of its own exact size that
// is never reused, so views handed out stay valid. Internally a wire error is a thrown string,
// caught in push() and handed to onError.
import type { ConnectPacket, Packet, PublishPacket, QoS, WireError } from './packet.js';
import { utf8Decode } from './utf8.js';

export interface Decoder {
  /** A PUBLISH payload or a password may be a view into the chunk: do not overwrite a chunk
   *  after pushing it. */
  push(chunk: Uint8Array): void;
}

// Only the clause: every byte of text costs RAM on the board, and the clause says it all.
function bad(clause: string): never {
  throw '[MQTT-' + clause + ']';
}

/**
 * maxPacket counts the whole packet, fixed header included. After the first error the decoder
 * is dead and ignores all input: close the connection. Never throws on any input; if onPacket
 * throws, that reaches the caller of push() and the decoder is dead too (the rest of the chunk
 * is lost).
 */
export function createDecoder(
  maxPacket: number,
  onPacket: (p: Packet) => void,
  onError: (e: WireError) => void,
): Decoder {
  // NaN or a negative limit would silently turn the size check off.
  if (!(maxPacket > 1)) throw new Error('createDecoder: bad maxPacket ' + maxPacket);
  // Fixed header: h bytes seen, first byte f, remaining length n. A split packet's body
  // collects in buf (got bytes so far). The packet being parsed is d[p..e).
  let dead = false, h = 0, f = 0, n = 0, got = 0, p = 0, e = 0;
  let buf: Uint8Array | null = null, d: Uint8Array;

  const need = (k: number) => p + k > e && bad('4.8.0-1');
  const u8 = () => (need(1), d[p++]!);
  const u16 = () => (need(2), d[p++]! << 8 | d[p++]!);
  const pid = () => u16() || bad('2.3.1-1');
  const bytes = () => {
    const k = u16();
    need(k);
    return d.subarray(p, p += k);
  };
  const str = () => {
    let a = p + 2;
    bytes();
    const s = utf8Decode(d, a, p);
    if (s == null) {
      while (a < p && d[a]) a++;
      bad(a < p ? '1.5.3-2' : '1.5.3-1');
    }
    return s;
  };

  function parse(): Packet {
    const t = f >> 4;
    if (t == 1) {
      if (str() != 'MQTT') bad('3.1.2-1');
      if (u8() != 4) bad('3.1.2-2');
      const g = u8();
      if (g & 1) bad('3.1.2-3');
      // Will QoS 3 [MQTT-3.1.2-14]; will QoS [-13] or retain [-15] without the will flag.
      if (g & 4 ? (g & 24) == 24 : g & 56) bad('3.1.2-1' + (g & 4 ? 4 : g & 24 ? 3 : 5));
      if ((g & 192) == 64) bad('3.1.2-22');
      const c: ConnectPacket = { type: 1, clean: !!(g & 2), keepalive: u16(), clientId: str() };
      if (g & 4) c.will = { topic: str(), payload: bytes(), qos: (g >> 3 & 3) as QoS, retain: !!(g & 32) };
      if (g & 128) c.username = str();
      if (g & 64) c.password = bytes();
      return c;
    }
    if (t == 2) {
      const a = u8();
      return a > 1 ? bad('3.2.2.1') : { type: 2, sessionPresent: !!a, rc: u8() };
    }
    if (t == 3) {
      const topic = str(), q = (f >> 1 & 3) as QoS;
      if (!topic || /[#+]/.test(topic)) bad(topic ? '3.3.2-2' : '4.7.3-1');
      const m: PublishPacket = { type: 3, topic, payload: d, qos: q, retain: !!(f & 1), dup: !!(f & 8) };
      if (q) m.id = pid();
      m.payload = d.subarray(p, p = e);
      return m;
    }
    if (t > 11) return { type: t as 12 };
    const id = pid(), a: never[] = [];
    if (t < 8 || t > 10) return { type: t as 4, id };
    // SUBSCRIBE: (filter, QoS byte)+; SUBACK: return code+; UNSUBSCRIBE: filter+.
    const q = () => {
      const c = u8();
      return c > 2 && (t < 9 || c != 128) ? bad(t < 9 ? '3-8.3-4' : '3.9.3-2') : c;
    };
    while (p < e) a.push((t > 9 ? str() : t > 8 ? q() : { topic: str(), qos: q() }) as never);
    // A SUBACK has one code per filter of a SUBSCRIBE, which has at least one [MQTT-3.9.3-1].
    if (!a.length) bad(t < 9 ? '3.8.3-3' : t > 9 ? '3.10.3-2' : '3.9.3-1');
    return t < 9 ? { type: 8, id, subs: a } : t > 9 ? { type: 10, id, topics: a } : { type: 9, id, codes: a };
  }

  function emit(src: Uint8Array, s: number, end: number) {
    d = src;
    p = s;
    e = end;
    const pk = parse();
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
            if ((got += k) == n) {
              const b = buf;
              buf = null;
              emit(b, 0, n);
            }
            continue;
          }
          const x = c[i++]!;
          if (!h++) {
            f = x;
            n = 0;
            const t = x >> 4, r = 0x540 >> t & 1;
            if (!t || t > 14) bad('2.2.1');
            // PUBLISH has its own flags; PUBREL, SUBSCRIBE, UNSUBSCRIBE need 0010, the rest 0000.
            if (t == 3 ? (x & 6) == 6 : (x & 15) != r << 1) {
              bad(t == 3 ? '3.3.1-4' : r ? '3.' + t + '.1-1' : '2.2.2-1');
            }
          } else {
            n += (x & 127) << 7 * h - 14;
            if (x & 128) h > 4 && bad('2.2.3');
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
      } catch (x) {
        dead = true;
        if (typeof x != 'string') throw x;
        onError(x);
      }
    },
  };
}
