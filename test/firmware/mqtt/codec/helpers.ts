// Runs the decoder over chunks and records everything it reports.
import { createDecoder } from '../../../../firmware/mqtt/codec/decode.js';
import type { Packet } from '../../../../firmware/mqtt/codec/packet.js';
import { plain } from '../../../support/mqttPacketOracle.js';

export interface Outcome {
  packets: Packet[];
  errors: string[];
}

export function decodeChunks(chunks: Uint8Array[], maxPacket = 0x10000000): Outcome {
  const out: Outcome = { packets: [], errors: [] };
  const d = createDecoder(maxPacket, (p) => out.packets.push(plain(p)), (e) => out.errors.push(e));
  for (const c of chunks) d.push(c);
  return out;
}

export const oneByOne = (data: Uint8Array) => Array.from(data, (x) => new Uint8Array([x]));

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}

/**
 * A wire error as the decoder writes it: a numbered clause [MQTT-<section>-<n>], one of the
 * sections it cites where the spec has no number (see bad() in client-decode.ts), or its own limit.
 */
export const WIRE_ERROR = /^(\[MQTT-(\d+\.\d+\.\d+-\d+|2\.2\.1|2\.2\.3|3\.2\.2\.1)\]|\[limit\] packet of \d+ bytes > \d+)$/;
