// Bytes -> packets, incrementally: the part of the decoder a client needs. It parses everything a
// server sends (CONNACK, PUBLISH, PUBACK..PUBCOMP, SUBACK, UNSUBACK, PINGRESP); decode.ts plugs in
// the packets only a server receives (CONNECT, SUBSCRIBE, UNSUBSCRIBE), which this decoder alone
// reports as a bare { type } so that the session rejects them.
//
// A packet that arrives whole inside one chunk is parsed in place; only a packet split across
// chunks is copied, into a buffer of its own exact size that is never reused, so views handed out
// stay valid. Internally a wire error is a thrown string, caught in push() and handed to onError.
//
// Espruino reads the source of every statement again each time it runs it, so the usual case (a
// chunk holding one small PUBLISH with an ASCII topic) runs few statements and no loop: the topic
// becomes a string and is checked by natives (byteString, one regular expression).
import {
  CONNACK, CONNECT, DISCONNECT, type Packet, PINGREQ, PUBLISH, type PublishPacket, reservedFlags,
  SUBACK, SUBSCRIBE, UNSUBSCRIBE, type WireError,
} from './packet.js';
import { byteString, byteStringOf, utf8Decode } from './utf8.js';

export interface Decoder {
  /** A PUBLISH payload or a password may be a view into the chunk: do not overwrite a chunk
   *  after pushing it. */
  push(chunk: Uint8Array): void;
}

/** Parses the body of a CONNECT, SUBSCRIBE or UNSUBSCRIBE. */
export type Extra = (type: number) => Packet;

// The packet being parsed is bytes[at..end), its first byte `first`; a PUBLISH's topic field
// (length, then UTF-8) ends at topicFieldEnd. Parsing runs to its end before any callback, so one
// cursor serves every decoder.
let bytes: Uint8Array, at: number, end: number, first: number, topicFieldEnd: number;

// Only the clause: every byte of text costs RAM on the board, and the clause says it all. A
// clause is a numbered statement of the 3.1.1 spec, [MQTT-<section>-<n>]; where the spec states
// the rule without a number, the section instead: [MQTT-2.2.1] (reserved packet types),
// [MQTT-2.2.3] (remaining length), [MQTT-3.2.2.1] (CONNACK reserved flags; [MQTT-3.2.2-1] is
// about Session Present). Other rules are the decoder's own limits: "[limit] ...".
export function wireError(clause: string): never {
  throw '[MQTT-' + clause + ']';
}

const need = (count: number) => at + count > end && wireError('4.8.0-1');
export const readByte = () => (need(1), bytes[at++]!);
export const readU16 = () => (need(2), bytes[at++]! << 8 | bytes[at++]!);
export const readPacketId = () => readU16() || wireError('2.3.1-1');

export function readBinary(): Uint8Array {
  const length = readU16();
  need(length);
  return bytes.subarray(at, at += length);
}

/** bytes[start..stop) as text; U+0000 [MQTT-1.5.3-2] and what is not UTF-8 [MQTT-1.5.3-1] refused. */
function textAt(start: number, stop: number): string {
  // Decoded once, U+0000 let through, so that each refusal has its own clause.
  const text = utf8Decode(bytes, start, stop, true);
  return text == null ? wireError('1.5.3-1') : text.indexOf('\0') < 0 ? text : wireError('1.5.3-2');
}

export function readText(): string {
  const length = readU16();
  need(length);
  return textAt(at, at += length);
}

/** Items up to the end of the packet; at least one, else the clause. */
export function readList<T>(item: () => T, clause: string): T[] {
  const items: T[] = [];
  while (at < end) items.push(item());
  return items.length ? items : wireError(clause);
}

function returnCode(): number {
  const code = readByte();
  return code > 2 && code != 128 ? wireError('3.9.3-2') : code;
}

function parse(extra?: Extra): Packet {
  const type = first >> 4;
  if (type == PUBLISH) {
    // The topic's length is read unchecked: if it is not all there, stop is past the end anyway.
    const stop = topicFieldEnd = at + 2 + (bytes[at]! << 8 | bytes[at + 1]!);
    need(stop - at);
    const topic = textAt(at + 2, stop);
    if (!topic) wireError('4.7.3-1');
    if (/[#+]/.test(topic)) wireError('3.3.2-2');
    at = stop;
    const qos = first >> 1 & 3;
    const packet = { type: PUBLISH, topic, qos, retain: !!(first & 1), dup: !!(first & 8) } as PublishPacket;
    if (qos) packet.id = readPacketId();
    packet.payload = bytes.subarray(at, at = end);
    return packet;
  }
  if (type == CONNACK) {
    const flags = readByte();
    return flags > 1 ? wireError('3.2.2.1') : { type: CONNACK, sessionPresent: !!flags, rc: readByte() };
  }
  if (type == CONNECT || type == SUBSCRIBE || type == UNSUBSCRIBE) return extra ? extra(type) : (at = end, { type } as Packet);
  if (type >= PINGREQ) return { type } as Packet;
  if (type == SUBACK) return { type: SUBACK, id: readPacketId(), codes: readList(returnCode, '3.9.3-1') };
  return { type, id: readPacketId() } as Packet;
}

/** Refuses a reserved packet type [MQTT-2.2.1] or flags its type does not allow. */
function checkFirstByte(): void {
  const type = first >> 4, flags = first & 15, reserved = reservedFlags(type);
  if (type == PUBLISH) {
    if ((flags & 6) == 6) wireError('3.3.1-4'); // QoS 3
  } else if (!type || type > DISCONNECT) wireError('2.2.1');
  else if (flags != reserved) wireError(reserved ? '3.' + type + '.1-1' : '2.2.2-1');
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
  extra?: Extra,
): Decoder {
  // NaN or a negative limit would silently turn the size check off.
  if (!(maxPacket > 1)) throw new Error('bad maxPacket ' + maxPacket);
  // After the first error the decoder ignores all input.
  let dead = false;
  // The packet being read: bytes of its fixed header seen (0 between packets), its first byte and
  // remaining length so far; then, when it is split across chunks, its body collecting (`got`
  // bytes so far) in a buffer of its own.
  let headerBytes = 0, firstByte = 0, remaining = 0, body: Uint8Array | null = null, got = 0;
  // The last PUBLISH topic read, its field as a byte string, and where that field ends in a
  // packet (it starts after the first byte and a one-byte remaining length). At first a field no
  // chunk holds at 2: the empty string is found at 0.
  let lastTopic = '', lastTopicField = '', lastFieldEnd = 0;
  // The usual chunk's size, as a byte string, and where its first packet ends: scratch values of
  // push, here rather than declared in it, which would cost Espruino a statement on every chunk.
  let size: number, text: string | undefined, packetEnd: number;
  // Only a packet of a single byte of remaining length, and within maxPacket, is usual.
  const usualLimit = Math.min(129, maxPacket);
  // byteString as it is now (a client installs the platform's converter before it connects): push
  // finds a name of this scope sooner than one of the bundle's, which on a board are globals.
  const toByteString = byteString;

  /** Parses source[start..stop), the body of the packet being read, and hands it on. */
  function emit(source: Uint8Array, start: number, stop: number) {
    bytes = source;
    at = start;
    end = stop;
    first = firstByte;
    headerBytes = 0;
    body = null;
    const packet = parse(extra);
    if (at < end) wireError('4.8.0-1');
    if (packet.type == PUBLISH) {
      // Checked: the next PUBLISH to this topic may take push's short way.
      lastTopicField = byteStringOf(source.subarray(start, topicFieldEnd));
      lastFieldEnd = 2 + topicFieldEnd - start;
      lastTopic = packet.topic;
    }
    onPacket(packet);
  }

  /** After an error: a wire error (a string) goes to onError, any other is thrown on. */
  function stop(error: unknown) {
    dead = true;
    if (typeof error != 'string') throw error;
    onError(error);
  }

  /**
   * Any chunk: headers and bodies split anywhere, several packets in one. push calls it from two
   * places, so the minifier keeps it a function of its own instead of copying it into push, where
   * Espruino would read its source on every call.
   */
  function consume(chunk: Uint8Array) {
    const length = chunk.length;
    let i = 0;
    try {
      while (!dead && i < length) {
        if (body) {
          const count = Math.min(remaining - got, length - i);
          body.set(chunk.subarray(i, i += count), got);
          if ((got += count) == remaining) emit(body, 0, remaining);
          continue;
        }
        const byte = chunk[i++]!;
        if (!headerBytes++) {
          first = firstByte = byte;
          checkFirstByte();
          remaining = 0;
          continue;
        }
        // Remaining length: 7 bits a byte, low bits first; headerBytes is 2 for its first byte.
        remaining += (byte & 127) << 7 * (headerBytes - 2);
        if (byte & 128) {
          if (headerBytes > 4) wireError('2.2.3');
          continue;
        }
        if (headerBytes + remaining > maxPacket) throw '[limit] packet of ' + (headerBytes + remaining) + ' bytes > ' + maxPacket;
        if (length - i >= remaining) emit(chunk, i, i += remaining);
        else body = new Uint8Array(remaining), got = 0;
      }
    } catch (error) {
      stop(error);
    }
  }

  return {
    push(chunk) {
      try {
        // The usual chunk, parsed in one expression: nothing pending, and first a whole PUBLISH at
        // QoS 0 without DUP or RETAIN (first byte 0x30) under usualLimit, to the topic last read
        // (so already checked). All else, errors included, and what follows that packet, takes
        // consume's way (the minifier puts the packet type's number in place of its name). A
        // chunk that holds the topic field at 2 has at least 5 bytes, so its remaining length was
        // there to read.
        return dead || headerBytes || chunk[0]! ^ PUBLISH << 4 || (packetEnd = chunk[1]! + 2) > usualLimit ||
          !(text = toByteString(chunk)) || packetEnd > (size = text.length) || text.indexOf(lastTopicField) ^ 2 || lastFieldEnd > packetEnd
          ? consume(chunk)
          : (onPacket({ type: PUBLISH, topic: lastTopic, qos: 0, retain: false, dup: false, payload: chunk.subarray(lastFieldEnd, packetEnd) }),
            packetEnd < size && consume(chunk.subarray(packetEnd)));
      } catch (error) {
        // Only onPacket throws here, and the decoder is dead after it too. A short catch: Espruino
        // reads it on every chunk to skip it.
        stop(error);
      }
    },
  };
}
