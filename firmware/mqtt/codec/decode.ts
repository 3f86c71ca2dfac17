// The whole decoder: client-decode.ts plus the packets only a server receives (CONNECT,
// SUBSCRIBE, UNSUBSCRIBE), for the local hub, fake brokers and tests. Client firmware imports
// client-decode.ts and leaves this out.
import {
  clientDecoder, type Decoder, readBinary, readByte, readList, readPacketId, readText, readU16, wireError,
} from './client-decode.js';
import { CONNECT, type ConnectPacket, type Packet, type QoS, SUBSCRIBE, UNSUBSCRIBE, type WireError } from './packet.js';

export type { Decoder } from './client-decode.js';

function connect(): ConnectPacket {
  if (readText() != 'MQTT') wireError('3.1.2-1');
  if (readByte() != 4) wireError('3.1.2-2');
  const flags = readByte();
  if (flags & 1) wireError('3.1.2-3');
  const hasWill = flags & 4, willQos = flags >> 3 & 3;
  // Will QoS 3 [MQTT-3.1.2-14]; will QoS [-13] or retain [-15] without the will flag.
  if (hasWill ? willQos == 3 : flags & 56) wireError('3.1.2-1' + (hasWill ? 4 : willQos ? 3 : 5));
  if ((flags & 192) == 64) wireError('3.1.2-22');
  const packet: ConnectPacket = { type: CONNECT, clean: !!(flags & 2), keepalive: readU16(), clientId: readText() };
  if (hasWill) packet.will = { topic: readText(), payload: readBinary(), qos: willQos as QoS, retain: !!(flags & 32) };
  if (flags & 128) packet.username = readText();
  if (flags & 64) packet.password = readBinary();
  return packet;
}

function subscription() {
  const topic = readText(), qos = readByte();
  return { topic, qos: qos > 2 ? wireError('3.8.3-4') : (qos as QoS) };
}

function serverPacket(type: number): Packet {
  if (type == CONNECT) return connect();
  return type == SUBSCRIBE
    ? { type: SUBSCRIBE, id: readPacketId(), subs: readList(subscription, '3.8.3-3') }
    : { type: UNSUBSCRIBE, id: readPacketId(), topics: readList(readText, '3.10.3-2') };
}

/** clientDecoder that also parses CONNECT, SUBSCRIBE and UNSUBSCRIBE: every MQTT 3.1.1 packet. */
export function createDecoder(
  maxPacket: number,
  onPacket: (p: Packet) => void,
  onError: (e: WireError) => void,
): Decoder {
  return clientDecoder(maxPacket, onPacket, onError, serverPacket);
}
