// Packet -> bytes for what a client sends: CONNECT, PUBLISH, PUBACK..PUBCOMP, SUBSCRIBE,
// UNSUBSCRIBE, PINGREQ, DISCONNECT (and UNSUBACK, PINGRESP, which are shaped like them).
// encode.ts plugs in CONNACK and SUBACK, which only a server sends: without it this encoder is
// not for those two.
//
// A packet is built as a byte string (one character per byte) and turned into bytes once, with
// the payload after it, by joinBytes: on Espruino, joining strings and viewing the result as bytes
// costs a fraction of filling a Uint8Array, and no JS loop touches a byte of a topic or a payload.
import {
  CONNECT, type Packet, PINGREQ, PUBLISH, type QoS, reservedFlags, SUBSCRIBE, type Subscription, UNSUBSCRIBE,
} from './packet.js';
import { byteString, chr, joinBytes, jsByteString, utf8Encode } from './utf8.js';

/** The body of a packet type the client encoder does not know, as a byte string; else nothing. */
export type Extra = (packet: Packet) => string | undefined;

export function fail(what: string, value: unknown): never {
  throw new Error('mqtt encode: bad ' + what + ' ' + value);
}

/** A 16-bit number as two characters of a byte string; nonZero: 0 is refused too. */
function twoBytes(value: number, what: string, nonZero?: boolean): string {
  if ((value & 65535) !== value || (nonZero && !value)) fail(what, value);
  return chr(value >> 8, value & 255);
}

export const packetId = (id: number) => twoBytes(id, 'packet id', true);

const checkQos = (qos: QoS) => (qos !== (qos & 3) % 3 ? fail('qos', qos) : qos);

/** The remaining length as MQTT writes it: 7 bits a byte, low bits first, at most 4 bytes. */
function remainingLength(length: number): string {
  if (length > 268435455) fail('size', length);
  let out = '';
  for (; length > 127; length >>>= 7) out += chr(length & 127 | 128);
  return out + chr(length);
}

/** A field as MQTT writes it: its length, then its bytes (a string's in UTF-8). */
function field(data: string | Uint8Array): string {
  // Text beyond ASCII (this also catches what Espruino marks UTF-8) goes as its UTF-8 bytes.
  if (typeof data == 'string' && /[^\0-\x7f]/.test(data)) data = utf8Encode(data);
  return twoBytes(data.length, 'length') + (typeof data == 'string' ? data : byteString(data) || jsByteString(data));
}

/** The items of a SUBSCRIBE, SUBACK or UNSUBSCRIBE list, which must not be empty. */
export function each<T>(list: T[], item: (x: T) => string): string {
  return list.length ? list.map(item).join('') : fail('list', '[]');
}


// The last PUBLISH topic checked, its field (length, then UTF-8) as a byte string, and the field's
// length in bytes: a device publishes to a few topics over and over, and one comparison is cheaper
// than checking a topic again. At first an object, which no topic is.
let lastTopic: unknown = {};
let lastTopicField = '';
let lastTopicFieldLength = 0;

/**
 * Throws (a programmer error) on a packet that cannot be put on the wire as given. encodeRest
 * encodes what is not a PUBLISH to the topic last checked: encodeOther, or the whole encoder's
 * (encode.ts), which adds the packets only a server sends.
 */
export function clientEncode(packet: Packet, encodeRest?: (packet: Packet) => Uint8Array): Uint8Array {
  // A PUBLISH to the topic last checked first, in few statements: Espruino reads the source of
  // every statement it runs again each time, skipped branches too, and after a return from inside
  // a block it reads the rest of the function to skip it. This is the packet a device sends most;
  // all else is one short call away (encodeOther named as a value, not called, so that the
  // minifier does not copy it in here).
  if (packet.type == PUBLISH && packet.topic === lastTopic) {
    let payload = packet.payload, qos = packet.qos;
    if (typeof payload == 'string') payload = utf8Encode(payload);
    const length = lastTopicFieldLength + payload.length + (qos && 2);
    // dup and retain are booleans (the client makes sure), which count as 0 and 1.
    const first = PUBLISH << 4 | (packet.dup as unknown as number) << 3 | qos << 1 | (packet.retain as unknown as number);
    return joinBytes((length < 128 ? chr(first, length) : chr(first) + remainingLength(length)) + lastTopicField +
      (qos === 0 ? '' : (checkQos(qos), packetId(packet.id!))), payload);
  }
  return (encodeRest || encodeOther)(packet);
}

/** Any packet but a PUBLISH to the topic last checked. extra adds the bodies of packet types a client does not send. */
export function encodeOther(packet: Packet, extra?: Extra): Uint8Array {
  const type = packet.type;
  let body = '';
  if (type == PUBLISH) {
    const topic = packet.topic;
    // No wildcards [MQTT-3.3.2-2], not empty [MQTT-4.7.3-1].
    if (!topic || /[#+]/.test(topic)) fail('topic (wildcard or empty topic)', topic);
    lastTopicField = field(topic);
    // Its length from its bytes: on Espruino a string joined with one marked UTF-8 counts characters.
    lastTopicFieldLength = joinBytes(lastTopicField, new Uint8Array(0)).length;
    lastTopic = topic;
    return clientEncode(packet);
  }
  if (type == CONNECT) {
    const will = packet.will;
    const flags = (packet.username != null ? 128 : 0) | (packet.password ? 64 : 0) | (packet.clean ? 2 : 0) |
      (will ? (will.retain ? 32 : 0) | checkQos(will.qos) << 3 | 4 : 0);
    if ((flags & 192) == 64) fail('password', 'without username [MQTT-3.1.2-22]');
    body = field('MQTT') + chr(4, flags) + twoBytes(packet.keepalive, 'keepalive') + field(packet.clientId) +
      (will ? field(will.topic) + field(will.payload) : '') + (flags & 128 ? field(packet.username!) : '') +
      (flags & 64 ? field(packet.password!) : '');
  } else if (type < PINGREQ) {
    // The acks (and CONNACK, SUBACK without `extra`, which then fail here): a packet id first.
    body = (extra && extra(packet)) || packetId((packet as { id: number }).id) +
      (type == SUBSCRIBE ? each(packet.subs, (sub) => field(sub.topic) + chr(checkQos(sub.qos))) : type == UNSUBSCRIBE ? each(packet.topics, field) : '');
  }
  // The body's length from its bytes, as above.
  const bytes = joinBytes(body, new Uint8Array(0));
  return joinBytes(chr(type << 4 | reservedFlags(type)) + remainingLength(bytes.length), bytes);
}
