// The reference codec (mqtt-packet, protocol 4) as a test oracle: converts between our packet
// shapes and its objects, and runs its generator and parser synchronously.
import mqttPacket from 'mqtt-packet';
import type { ConnectPacket, Packet, PublishPacket } from '../../firmware/mqtt/codec/packet.js';

type Obj = Record<string, unknown>;

const NAMES = ['', 'connect', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp',
  'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect'];

const buf = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length);
/** A fresh plain Uint8Array, so that Buffers and views compare equal to it by content. */
export const bytes = (b: Uint8Array) => new Uint8Array(b);

/** Our packet -> the object mqtt-packet generates from / parses to. */
export function toOracle(p: Packet): mqttPacket.Packet {
  const o: Obj = { cmd: NAMES[p.type] };
  switch (p.type) {
    case 1:
      Object.assign(o, { protocolId: 'MQTT', protocolVersion: 4, clean: p.clean, keepalive: p.keepalive,
        clientId: p.clientId });
      if (p.will) {
        o.will = { topic: p.will.topic, payload: buf(p.will.payload), qos: p.will.qos, retain: p.will.retain };
      }
      if (p.username !== undefined) o.username = p.username;
      if (p.password !== undefined) o.password = buf(p.password);
      break;
    case 2:
      Object.assign(o, { sessionPresent: p.sessionPresent, returnCode: p.rc });
      break;
    case 3:
      Object.assign(o, { topic: p.topic, payload: buf(p.payload), qos: p.qos, retain: p.retain, dup: p.dup });
      if (p.qos) o.messageId = p.id;
      break;
    case 8:
      Object.assign(o, { messageId: p.id, subscriptions: p.subs.map((s) => ({ topic: s.topic, qos: s.qos })) });
      break;
    case 9:
      Object.assign(o, { messageId: p.id, granted: p.codes.slice() });
      break;
    case 10:
      Object.assign(o, { messageId: p.id, unsubscriptions: p.topics.slice() });
      break;
    case 12:
    case 13:
    case 14:
      break;
    default:
      o.messageId = p.id;
  }
  return o as unknown as mqttPacket.Packet;
}

/** An mqtt-packet object (generated or parsed) -> our packet shape, payloads as plain Uint8Array. */
export function fromOracle(x: mqttPacket.Packet): Packet {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const o = x as any;
  const type = NAMES.indexOf(o.cmd);
  if (type < 1) throw new Error('oracle: unexpected cmd ' + String(o.cmd));
  switch (type) {
    case 1: {
      if (o.protocolId !== 'MQTT' || o.protocolVersion !== 4) throw new Error('oracle: not MQTT 3.1.1');
      const p: ConnectPacket = { type: 1, clientId: o.clientId, clean: o.clean, keepalive: o.keepalive };
      const w = o.will as Obj | undefined;
      if (w) {
        p.will = { topic: w.topic as string, payload: bytes(w.payload as Uint8Array), qos: w.qos as 0,
          retain: !!w.retain };
      }
      if (o.username !== undefined) p.username = o.username;
      if (o.password !== undefined) p.password = bytes(o.password);
      return p;
    }
    case 2:
      return { type: 2, sessionPresent: o.sessionPresent, rc: o.returnCode };
    case 3: {
      const p: PublishPacket = { type: 3, topic: o.topic, payload: bytes(o.payload), qos: o.qos, retain: o.retain,
        dup: o.dup };
      if (o.qos) p.id = o.messageId;
      return p;
    }
    case 8:
      return { type: 8, id: o.messageId,
        subs: (o.subscriptions as Obj[]).map((s) => ({ topic: s.topic as string, qos: s.qos as 0 })) };
    case 9:
      return { type: 9, id: o.messageId, codes: (o.granted as number[]).slice() };
    case 10:
      return { type: 10, id: o.messageId, topics: (o.unsubscriptions as string[]).slice() };
    case 12:
    case 13:
    case 14:
      return { type };
    default:
      return { type: type as 4, id: o.messageId };
  }
}

/** Our packet with every byte field copied to a plain Uint8Array, for deep equality. */
export function plain(p: Packet): Packet {
  if (p.type == 3) return { ...p, payload: bytes(p.payload) };
  if (p.type == 1) {
    const q = { ...p };
    if (q.password) q.password = bytes(q.password);
    if (q.will) q.will = { ...q.will, payload: bytes(q.will.payload) };
    return q;
  }
  return p;
}

export function oracleGenerate(p: Packet): Uint8Array {
  return bytes(mqttPacket.generate(toOracle(p)));
}

/** Parses a whole stream with mqtt-packet: the packets it emits and the messages of its errors. */
export function oracleParse(data: Uint8Array): { packets: mqttPacket.Packet[]; errors: string[] } {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const packets: mqttPacket.Packet[] = [];
  const errors: string[] = [];
  parser.on('packet', (p) => packets.push(p));
  parser.on('error', (e: Error) => errors.push(e.message));
  parser.parse(Buffer.from(data));
  return { packets, errors };
}
