// Encode and decode throughput of our codec against mqtt-packet, in one process, on the same
// packets. Runs under `npm run bench` (run()) or alone: `npx tsx test/bench/codec.ts`.
import mqttPacket from 'mqtt-packet';
import { fileURLToPath } from 'node:url';
import { createDecoder } from '../../firmware/mqtt/codec/decode.js';
import { encode } from '../../firmware/mqtt/codec/encode.js';
import type { Packet } from '../../firmware/mqtt/codec/packet.js';
import { toOracle } from '../support/mqttPacketOracle.js';

// Rounds of ours and theirs alternate and each side keeps its best round, so that load from
// other processes on a shared machine biases neither side.
const ROUNDS = 9;
const ROUND_MS = 150;

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31) & 255);
const topic = 'devices/sensor-0042/messages/events/';
const pub = (n: number): Packet => ({ type: 3, topic, payload: bytes(n), qos: 1, retain: false, dup: false, id: 77 });

const sets: Record<string, Packet[]> = {
  'PUBLISH 64 B': [pub(64)],
  'PUBLISH 4 KB': [pub(4096)],
  mix: [
    { type: 1, clientId: 'sensor-0042', clean: true, keepalive: 60,
      username: 'hub.azure-devices.net/sensor-0042/?api-version=2021-04-12', password: bytes(120) },
    { type: 2, sessionPresent: false, rc: 0 },
    { type: 8, id: 1, subs: [{ topic: 'devices/sensor-0042/messages/devicebound/#', qos: 1 },
      { topic: '$iothub/methods/POST/#', qos: 0 }] },
    { type: 9, id: 1, codes: [1, 0] },
    pub(64),
    { type: 3, topic: '$iothub/twin/PATCH/properties/reported/?$rid=4', payload: bytes(200), qos: 0, retain: false,
      dup: false },
    { type: 4, id: 77 },
    { type: 5, id: 78 },
    { type: 6, id: 78 },
    { type: 7, id: 78 },
    { type: 10, id: 2, topics: ['$iothub/methods/POST/#'] },
    { type: 11, id: 2 },
    { type: 12 },
    { type: 13 },
    { type: 14 },
  ],
};

/** ops/s of one timed round of fn, which does `ops` operations per call. */
function round(ops: number, fn: () => void): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ROUND_MS) {
    for (let i = 0; i < 16; i++) fn();
    n += 16 * ops;
    t = performance.now();
  }
  return (n * 1000) / (t - t0);
}

/** Warms both up, then alternates timed rounds; the best ops/s of each. */
function pair(ops: number, ours: () => void, theirs: () => void): [number, number] {
  round(ops, ours);
  round(ops, theirs);
  let a = 0, b = 0;
  for (let r = 0; r < ROUNDS; r++) {
    a = Math.max(a, round(ops, ours));
    b = Math.max(b, round(ops, theirs));
  }
  return [a, b];
}

interface Row {
  name: string;
  ours: number;
  theirs: number;
}

function bench(name: string, packets: Packet[]): Row[] {
  const objects = packets.map(toOracle);
  const wire = packets.map(encode);
  const wireBuf = wire.map((b) => Buffer.from(b.buffer, b.byteOffset, b.length));
  const k = packets.length;
  let sink = 0;

  const [encOurs, encTheirs] = pair(k, () => {
    for (let i = 0; i < k; i++) sink += encode(packets[i]!).length;
  }, () => {
    for (let i = 0; i < k; i++) sink += mqttPacket.generate(objects[i]!).length;
  });

  let got = 0;
  const dec = createDecoder(1 << 20, () => got++, (e) => {
    throw new Error(e);
  });
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  parser.on('packet', () => got--);
  parser.on('error', (e: Error) => {
    throw e;
  });
  const [decOurs, decTheirs] = pair(k, () => {
    for (let i = 0; i < k; i++) dec.push(wire[i]!);
  }, () => {
    for (let i = 0; i < k; i++) parser.parse(wireBuf[i]!);
  });
  if (!sink || !got) throw new Error('benchmark did no work');
  return [
    { name: `encode ${name}`, ours: encOurs, theirs: encTheirs },
    { name: `decode ${name}`, ours: decOurs, theirs: decTheirs },
  ];
}

export async function run(): Promise<void> {
  const rows: Row[] = [];
  for (const [name, packets] of Object.entries(sets)) rows.push(...bench(name, packets));
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(12);
  console.log(`${'packets/s'.padEnd(22)}${'tinyiot'.padStart(12)}${'mqtt-packet'.padStart(12)}  ours/theirs`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(22)}${fmt(r.ours)}${fmt(r.theirs)}  ${(r.ours / r.theirs).toFixed(2)}x`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await run();
