// The whole encoder: client-encode.ts plus CONNACK and SUBACK, which only a server sends, for the
// local hub, fake brokers and tests. Client firmware imports client-encode.ts and leaves this out.
import { clientEncode, each, encodeOther, packetId } from './client-encode.js';
import { CONNACK, type Packet, SUBACK } from './packet.js';
import { chr } from './utf8.js';

const byte = (value: number) => chr(value & 255);

function serverBody(packet: Packet): string | undefined {
  if (packet.type == CONNACK) return chr(packet.sessionPresent ? 1 : 0, packet.rc & 255);
  if (packet.type == SUBACK) return packetId(packet.id) + each(packet.codes, byte);
}

/** Throws (a programmer error) on a packet that cannot be put on the wire as given. */
export function encode(packet: Packet): Uint8Array {
  return packet.type == CONNACK || packet.type == SUBACK ? encodeOther(packet, serverBody) : clientEncode(packet);
}
