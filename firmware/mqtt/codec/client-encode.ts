// Packet -> bytes for what a client sends: CONNECT, PUBLISH, PUBACK..PUBCOMP, SUBSCRIBE,
// UNSUBSCRIBE, PINGREQ, DISCONNECT (and UNSUBACK, PINGRESP, which are shaped like them).
// encode.ts plugs in CONNACK and SUBACK, which only a server sends: without it this encoder is
// not for those two.
//
// A packet is built as a byte string (one character per byte), payload included, and viewed as
// bytes once (bufferOf): on Espruino, joining strings and viewing the result as bytes costs a
// fraction of filling a Uint8Array, and no JS loop touches a byte of a topic or a payload.
import {
  CONNECT, type Packet, PINGREQ, PUBLISH, type PublishPacket, type QoS, reservedFlags, SUBSCRIBE, type Subscription, UNSUBSCRIBE,
} from './packet.js';
import { bufferOf, bytes, bytesOf, byteString, byteStringOf, chr, utf8Encode } from './utf8.js';

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
  if (!(length <= 268435455)) fail('size', length);
  let out = '';
  for (; length > 127; length >>>= 7) out += chr(length & 127 | 128);
  return out + chr(length);
}

/** A field as MQTT writes it: its length, then its bytes (a string's in UTF-8). */
function field(data: string | Uint8Array): string {
  // Text beyond ASCII (this also catches what Espruino marks UTF-8) goes as its UTF-8 bytes.
  if (typeof data == 'string' && /[^\0-\x7f]/.test(data)) data = utf8Encode(data);
  return twoBytes(data.length, 'length') + (typeof data == 'string' ? data : byteStringOf(data));
}

/** The items of a SUBSCRIBE, SUBACK or UNSUBSCRIBE list, which must not be empty. */
export function each<T>(list: T[], item: (x: T) => string): string {
  return list.length ? list.map(item).join('') : fail('list', '[]');
}


/**
 * encodePublish, clientEncode and encodeOther, made once. Espruino reads the source of every
 * statement it runs again each time, skipped branches too, and a function that is one return
 * costs it least; it finds a name by comparing it with the names in scope one by one, so what the
 * usual PUBLISH reads lives in a scope of its own rather than among a bundle's many.
 */
const encoder = publishEncoder();

/**
 * A PUBLISH from its fields, with no packet object made for it (the session sends every message
 * this way). Throws (a programmer error) on a bad topic, qos or packet id. The usual PUBLISH (to
 * the topic last checked, QoS 0, under 128 bytes) is encoded in one expression.
 */
export const encodePublish: (topic: string, payload: Uint8Array, qos: QoS, retain: boolean, id?: number) => Uint8Array =
  encoder.publish_;

/** Throws (a programmer error) on a packet that cannot be put on the wire as given. */
export const clientEncode = encoder.other_ as (packet: Packet) => Uint8Array;

/** Any packet. extra adds the bodies of packet types a client does not send. */
export const encodeOther: (packet: Packet, extra?: Extra) => Uint8Array = encoder.other_;

function publishEncoder() {
  // The last PUBLISH topic checked, its field (length, then UTF-8) as a byte string and the
  // field's length in bytes: a device publishes to a few topics over and over, and one comparison
  // is cheaper than checking a topic again. At first an object, which no topic is.
  let lastTopic: unknown = {}, lastTopicField = '', lastTopicFieldLength = 0;
  // Scratch values: the usual PUBLISH's payload as a byte string, and its remaining length.
  let payloadText: string, length: number;
  const Bytes = Uint8Array;

  /** Any PUBLISH but the usual: its topic checked, unless it is the last one, and remembered. */
  function otherPublish(topic: string, payload: Uint8Array, qos: QoS, retain: boolean, id?: number, dup?: boolean): Uint8Array {
    checkQos(qos);
    if (topic !== lastTopic) {
      // No wildcards [MQTT-3.3.2-2], not empty [MQTT-4.7.3-1].
      if (!topic || /[#+]/.test(topic)) fail('topic (wildcard or empty topic)', topic);
      // A copy of its bytes: on Espruino a string joined with one marked UTF-8 is marked and
      // counts characters, not bytes.
      const topicField = bytesOf(field(topic));
      lastTopicField = byteStringOf(topicField);
      lastTopicFieldLength = topicField.length;
      lastTopic = topic;
    }
    // Text given where bytes belong (a packet's payload may be text) goes as its UTF-8 bytes.
    const payloadBytes = bytes(payload);
    // The payload joined as bytes, not as text: a payload of any size is copied once, natively.
    // DUP only at QoS 1 or 2: it MUST be 0 at QoS 0 [MQTT-3.3.1-2].
    const head = bytesOf(chr(PUBLISH << 4 | (dup && qos ? 8 : 0) | qos << 1 | (retain ? 1 : 0)) +
      remainingLength(lastTopicFieldLength + (qos ? 2 : 0) + payloadBytes.length) + lastTopicField + (qos ? packetId(id!) : ''));
    const out = new Bytes(head.length + payloadBytes.length);
    out.set(head);
    out.set(payloadBytes, head.length);
    return out;
  }

  function other(packet: Packet, extra?: Extra): Uint8Array {
    const type = packet.type;
    let body = '';
    // Only QoS 0 may take the usual way; a packet's qos is checked first (a missing one is refused
    // too), and its payload may be given as text.
    if (type == PUBLISH) {
      return (checkQos(packet.qos) ? otherPublish : publish)(packet.topic, bytes(packet.payload), packet.qos, packet.retain, packet.id, packet.dup);
    }
    if (type == CONNECT) {
      const will = packet.will;
      const connectFlags = (packet.username != null ? 128 : 0) | (packet.password ? 64 : 0) | (packet.clean ? 2 : 0) |
        (will ? (will.retain ? 32 : 0) | checkQos(will.qos) << 3 | 4 : 0);
      if ((connectFlags & 192) == 64) fail('password', 'without username [MQTT-3.1.2-22]');
      body = field('MQTT') + chr(4, connectFlags) + twoBytes(packet.keepalive, 'keepalive') + field(packet.clientId) +
        (will ? field(will.topic) + field(will.payload) : '') + (connectFlags & 128 ? field(packet.username!) : '') +
        (connectFlags & 64 ? field(packet.password!) : '');
    } else if (type < PINGREQ) {
      // The acks (and CONNACK, SUBACK without `extra`, which then fail here): a packet id first.
      body = (extra && extra(packet)) || packetId((packet as { id: number }).id) +
        (type == SUBSCRIBE ? each(packet.subs, (sub) => field(sub.topic) + chr(checkQos(sub.qos))) : type == UNSUBSCRIBE ? each(packet.topics, field) : '');
    }
    // The body's length from its bytes, as above.
    return bytesOf(chr(type << 4 | reservedFlags(type)) + remainingLength(bytesOf(body).length) + body);
  }

  /**
   * The usual PUBLISH in one expression, else otherPublish. A payload given as text (E.toString
   * gives it back as it is), or that the platform cannot make a byte string of just now, takes the
   * other way. retain is a boolean, which counts as 0 or 1. The minifier folds PUBLISH << 4 into
   * one number.
   */
  function publish(topic: string, payload: Uint8Array, qos: QoS, retain: boolean, id?: number): Uint8Array {
    return topic === lastTopic && !qos && (payloadText = byteString(payload)!) && payloadText !== payload as unknown &&
      (length = lastTopicFieldLength + payloadText.length) < 128
      ? new Bytes(bufferOf(chr(PUBLISH << 4 | (retain as unknown as number), length) + lastTopicField + payloadText))
      : otherPublish(topic, payload, qos, retain, id);
  }

  return { publish_: publish, other_: other };
}
