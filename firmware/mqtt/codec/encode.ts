// The whole encoder: client-encode.ts plus CONNACK and SUBACK, which only a server sends, for the
// local hub, fake brokers and tests. Client firmware imports client-encode.ts and leaves this out.
import { b, clientEncode, id, list } from './client-encode.js';
import type { Packet } from './packet.js';

function server(p: Packet) {
  if (p.type == 2) return b(p.sessionPresent ? 1 : 0), b(p.rc), 1;
  if (p.type == 9) return id(p.id), list(p.codes, b), 1;
}

/** Throws (a programmer error) on a packet that cannot be put on the wire as given. */
export function encode(p: Packet): Uint8Array {
  return clientEncode(p, server);
}
