// The whole decoder: client-decode.ts plus the packets only a server receives (CONNECT,
// SUBSCRIBE, UNSUBSCRIBE), for the local hub, fake brokers and tests. Client firmware imports
// client-decode.ts and leaves this out.
import { bad, bin, clientDecoder, type Decoder, list, pid, str, u16, u8 } from './client-decode.js';
import type { ConnectPacket, Packet, QoS, WireError } from './packet.js';

export type { Decoder } from './client-decode.js';

function connect(): ConnectPacket {
  if (str() != 'MQTT') bad('3.1.2-1');
  if (u8() != 4) bad('3.1.2-2');
  const g = u8();
  if (g & 1) bad('3.1.2-3');
  // Will QoS 3 [MQTT-3.1.2-14]; will QoS [-13] or retain [-15] without the will flag.
  if (g & 4 ? (g & 24) == 24 : g & 56) bad('3.1.2-1' + (g & 4 ? 4 : g & 24 ? 3 : 5));
  if ((g & 192) == 64) bad('3.1.2-22');
  const c: ConnectPacket = { type: 1, clean: !!(g & 2), keepalive: u16(), clientId: str() };
  if (g & 4) c.will = { topic: str(), payload: bin(), qos: (g >> 3 & 3) as QoS, retain: !!(g & 32) };
  if (g & 128) c.username = str();
  if (g & 64) c.password = bin();
  return c;
}

function qos(): QoS {
  const c = u8();
  return c > 2 ? bad('3.8.3-4') : (c as QoS);
}

function server(t: number): Packet {
  if (t == 1) return connect();
  return t == 8
    ? { type: 8, id: pid(), subs: list(() => ({ topic: str(), qos: qos() }), '3.8.3-3') }
    : { type: 10, id: pid(), topics: list(str, '3.10.3-2') };
}

/** clientDecoder that also parses CONNECT, SUBSCRIBE and UNSUBSCRIBE: every MQTT 3.1.1 packet. */
export function createDecoder(
  maxPacket: number,
  onPacket: (p: Packet) => void,
  onError: (e: WireError) => void,
): Decoder {
  return clientDecoder(maxPacket, onPacket, onError, server);
}
