import { encode } from '/tmp/mut/firmware/mqtt/codec/encode.ts';
import mqttPacket from 'mqtt-packet';
const payload = new Uint8Array(64);
const p: any = { type: 3, topic: 'devices/sensor-0042/messages/events/', payload, qos: 1, retain: false, dup: false, id: 77 };
const o: any = { cmd: 'publish', topic: p.topic, payload: Buffer.from(payload), qos: 1, retain: false, dup: false, messageId: 77 };
let s = 0;
function round(fn: () => void) { const N = 200000; const t0 = performance.now(); for (let i = 0; i < N; i++) fn(); return (performance.now() - t0) * 1e6 / N; }
const fns: Record<string, () => void> = {
  ours: () => { s += encode(p).length },
  theirs: () => { s += mqttPacket.generate(o).length },
  alloc110: () => { s += new Uint8Array(110).length },
  alloc64: () => { s += new Uint8Array(64).length },
};
const best: Record<string, number> = {};
for (let r = 0; r < 15; r++) for (const k in fns) best[k] = Math.min(best[k] ?? 1e9, round(fns[k]!));
console.log(best);
