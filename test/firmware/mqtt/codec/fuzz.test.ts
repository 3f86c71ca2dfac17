// Random and mutated input through the real entry point, createDecoder().push, with random
// chunking, and every input also through mqtt-packet, the reference codec, as an oracle: the two
// must accept and refuse the same streams and decode the same fields, except where this decoder
// is stricter on purpose (STRICTER, EARLIER below). The seed is fixed, so CI runs the same inputs
// every time; FUZZ_SEED=n replays one seed, FUZZ_RANDOM=1 draws a new one (printed), and
// FUZZ_COUNT sets the number of inputs (default 100,000).
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../../../firmware/mqtt/codec/decode.js';
import { encode } from '../../../../firmware/mqtt/codec/encode.js';
import type { Packet } from '../../../../firmware/mqtt/codec/packet.js';
import { fromOracle, plain } from '../../../support/mqttPacketOracle.js';
import { packet } from './arbitraries.js';
import { goldens } from './golden.js';
import { concat, WIRE_ERROR } from './helpers.js';

const FIXED_SEED = 0x1e9a_2c3d;
const COUNT = Number(process.env.FUZZ_COUNT) || 100_000;
const SEED = Number(process.env.FUZZ_SEED) || (process.env.FUZZ_RANDOM ? (Math.random() * 2 ** 31) | 0 : FIXED_SEED);
const MAX = 4096;

/**
 * Where this decoder refuses a packet that mqtt-packet takes: rules of MQTT 3.1.1 that mqtt-packet
 * does not check. Any other disagreement fails the test.
 */
const STRICTER: Record<string, string> = {
  '[MQTT-1.5.3-1]': 'ill-formed UTF-8 or a surrogate in a string (mqtt-packet decodes it with replacement characters)',
  '[MQTT-1.5.3-2]': 'U+0000 in a string',
  '[MQTT-4.8.0-1]': 'a remaining length that does not match the fields (mqtt-packet ignores extra bytes, and reads missing ones as absent)',
  '[MQTT-4.7.3-1]': 'an empty topic name',
  '[MQTT-3.3.2-2]': 'a wildcard in a PUBLISH topic',
  '[MQTT-2.3.1-1]': 'packet id 0',
  '[MQTT-3.8.3-3]': 'a SUBSCRIBE without filters',
  '[MQTT-3.10.3-2]': 'an UNSUBSCRIBE without filters',
  '[MQTT-3.9.3-1]': 'a SUBACK return code other than 0, 1, 2 and 0x80',
  '[MQTT-3.1.2-2]': 'a protocol level other than 4 (MQTT 3.1.1 only)',
};
/** Refusals made from the fixed header, where mqtt-packet waits for the rest; and our size limit. */
const EARLIER = /^(\[MQTT-2\.2\.1\]|\[MQTT-2\.2\.3\]|\[limit\] )/;

type Event = Packet | string;

/** mqtt-packet's events for a whole input, up to and including its first error. */
function oracleEvents(x: Uint8Array): Event[] {
  const out: Event[] = [];
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  let failed = false;
  parser.on('packet', (p: mqttPacket.Packet) => {
    if (failed) return;
    try {
      out.push(plain(fromOracle(p)));
    } catch (e) {
      out.push(`oracle packet not comparable: ${(e as Error).message}`);
      failed = true;
    }
  });
  parser.on('error', (e: Error) => {
    if (!failed) out.push(`oracle: ${e.message}`);
    failed = true;
  });
  try {
    parser.parse(Buffer.from(x));
  } catch (e) {
    if (!failed) out.push(`oracle threw: ${(e as Error).message}`);
  }
  return out;
}

/**
 * Compares our events with the oracle's, in order: 'same' (the same packets, nothing refused),
 * 'both refused' (the same packets, then both refuse), an intended difference (counted in
 * `intended` by clause), or what differs.
 */
function compare(ours: Event[], theirs: Event[], intended: Map<string, number>): 'same' | 'both refused' | 'intended' | { differs: string } {
  const describe = (e: Event | undefined) => (e === undefined ? 'nothing yet' : typeof e == 'string' ? e : `a packet of type ${e.type}`);
  for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
    const a = ours[i];
    const b = theirs[i];
    const oursErr = typeof a == 'string';
    const theirsErr = typeof b == 'string' && b.startsWith('oracle: ');
    if (oursErr && theirsErr) return 'both refused';
    if (a !== undefined && !oursErr && b !== undefined && typeof b != 'string') {
      if (isDeepStrictEqual(plain(a), b)) continue;
      return { differs: `event ${i}: fields differ: ours ${JSON.stringify(a)} mqtt-packet ${JSON.stringify(b)}` };
    }
    if (oursErr && (STRICTER[a] !== undefined || a.startsWith('[limit] ') || (b === undefined && EARLIER.test(a)))) {
      const clause = a.startsWith('[limit] ') ? '[limit]' : a;
      intended.set(clause, (intended.get(clause) ?? 0) + 1);
      return 'intended';
    }
    return { differs: `event ${i}: we give ${describe(a)}, mqtt-packet ${describe(b)}` };
  }
  return 'same';
}

// mulberry32: small, fast, seedable.
function rng(seed: number) {
  let a = seed | 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (n: number) => Math.floor(next() * n);
}

function corpus(seed: number): Uint8Array[] {
  const big = fc.record({ size: fc.integer({ min: 3000, max: 5000 }), qos: fc.constantFrom<0 | 1>(0, 1) })
    .map(({ size, qos }): Packet => ({ type: 3, topic: 'big', payload: new Uint8Array(size).fill(7), qos,
      retain: false, dup: false, id: 9 }));
  return [
    ...goldens.map((g) => g.bytes),
    ...fc.sample(packet, { numRuns: 400, seed }).map(encode),
    ...fc.sample(big, { numRuns: 10, seed }).map(encode),
  ];
}

function mutate(r: (n: number) => number, pool: Uint8Array[]): Uint8Array {
  const pick = () => pool[r(pool.length)]!;
  let x: Uint8Array = pick().slice();
  const rounds = 1 + r(3);
  for (let k = 0; k < rounds; k++) {
    const n = x.length;
    switch (r(10)) {
      case 0: // bit flips
        for (let j = 1 + r(4); j-- && n;) {
          const at = r(n);
          x[at] = x[at]! ^ 1 << r(8);
        }
        break;
      case 1: // interesting byte values
        if (n) x[r(n)] = [0, 0x7f, 0x80, 0xff, 0x23, 0x2b, 0xc0, 0xed, 0xf4, 1, 2, 3][r(12)]!;
        break;
      case 2: // truncation
        x = x.slice(0, r(n + 1));
        break;
      case 3: { // splice two packets
        const y = pick();
        x = concat([x.subarray(0, r(n + 1)), y.subarray(r(y.length + 1))]);
        break;
      }
      case 4: { // random remaining length (1..5 bytes, any continuation bits)
        const len = Array.from({ length: 1 + r(5) }, () => r(256));
        x = concat([x.subarray(0, 1), new Uint8Array(len), x.subarray(Math.min(n, 1 + r(5)))]);
        break;
      }
      case 5: // random 16-bit length field somewhere in the body
        if (n > 3) {
          const at = 2 + r(n - 3);
          x[at] = r(4) ? 0 : r(256);
          x[at + 1] = r(256);
        }
        break;
      case 6: { // insert random bytes
        const at = r(n + 1);
        x = concat([x.subarray(0, at), Uint8Array.from({ length: 1 + r(8) }, () => r(256)), x.subarray(at)]);
        break;
      }
      case 7: { // delete a range
        const at = r(n + 1);
        x = concat([x.subarray(0, at), x.subarray(at + r(8))]);
        break;
      }
      case 8: // valid packets around the damage
        x = concat([pick(), x, pick()]);
        break;
      default: // pure noise
        x = Uint8Array.from({ length: r(64) }, () => r(256));
    }
  }
  return x;
}

function chunk(r: (n: number) => number, x: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < x.length;) {
    const k = r(3) ? 1 + r(40) : 1 + r(x.length);
    out.push(x.subarray(i, i + k));
    i += k;
  }
  return out;
}

describe('decoder fuzz', () => {
  it(`${COUNT} random and mutated inputs (seed ${SEED})`, () => {
    const r = rng(SEED);
    const pool = corpus(SEED);
    let thrown = 0, accepted = 0, rejected = 0, maxAlloc = 0, measuring = false, agreedRefusals = 0;
    const intended = new Map<string, number>();
    const problems: string[] = [];
    const note = (m: string) => problems.length < 5 && problems.push(m);

    // Count every buffer the decoder allocates: a test-only spy on the global constructor,
    // active only while push() runs. Views (subarray) pass a buffer, not a length, and are skipped.
    const Real = globalThis.Uint8Array;
    class Spy extends Real {
      constructor(...a: unknown[]) {
        if (measuring && typeof a[0] == 'number') maxAlloc = Math.max(maxAlloc, a[0]);
        super(...(a as []));
      }
    }
    globalThis.Uint8Array = Spy as Uint8ArrayConstructor;
    try {
      for (let k = 0; k < COUNT; k++) {
        const x = r(20) ? mutate(r, pool) : pool[r(pool.length)]!;
        const runs = [[x], chunk(r, x)].map((chunks) => {
          const events: (Packet | string)[] = [];
          const d = createDecoder(MAX, (p) => events.push(p), (e) => events.push(e));
          measuring = true;
          try {
            for (const c of chunks) d.push(c);
          } catch (err) {
            thrown++;
            note(`input ${k}: threw ${String(err)}`);
          }
          measuring = false;
          return events;
        });
        // Same events whatever the chunking: re-encoding makes packets comparable as bytes
        // (and shows that anything accepted can be sent again as it is).
        const sig = runs.map((ev) => ev.map((e) => (typeof e == 'string' ? e : hex(encode(e)))).join('|'));
        if (sig[0] !== sig[1]) note(`input ${k}: chunking changed the outcome:\n${sig[0]}\n${sig[1]}`);
        const ev = runs[0]!;
        const verdict = compare(ev, oracleEvents(x), intended);
        if (typeof verdict == 'object') note(`input ${k} (${hex(x).slice(0, 200)}): ${verdict.differs}`);
        else if (verdict == 'both refused') agreedRefusals++;
        ev.forEach((e, i) => {
          if (typeof e == 'string') {
            rejected++;
            if (i != ev.length - 1) note(`input ${k}: events after an error`);
            if (!WIRE_ERROR.test(e)) note(`input ${k}: error without clause: ${e}`);
          } else {
            accepted++;
            const bytes = encode(e);
            if (bytes.length > MAX) note(`input ${k}: delivered a packet of ${bytes.length} bytes`);
            const again: (Packet | string)[] = [];
            createDecoder(MAX, (p) => again.push(p), (m) => again.push(m)).push(bytes);
            if (again.length != 1 || hex(encode(again[0] as Packet)) != hex(bytes)) {
              note(`input ${k}: re-encoded packet does not decode to itself`);
            }
          }
        });
      }
    } finally {
      globalThis.Uint8Array = Real;
    }
    console.log(`fuzz: ${COUNT} inputs, ${accepted} packets, ${rejected} wire errors, largest buffer ${maxAlloc}; ` +
      `mqtt-packet refused the same input ${agreedRefusals} times; intended differences ${JSON.stringify(Object.fromEntries(intended))}`);
    expect(problems, `seed ${SEED}`).toEqual([]);
    expect(thrown).toBe(0);
    // The run exercised both outcomes and the buffering path, and stayed inside the limit.
    expect(accepted).toBeGreaterThan(COUNT / 10);
    expect(rejected).toBeGreaterThan(COUNT / 10);
    expect(maxAlloc).toBeGreaterThan(MAX / 2);
    expect(maxAlloc).toBeLessThanOrEqual(MAX);
    // The oracle agreed on refusals too, not only on packets.
    expect(agreedRefusals).toBeGreaterThan(COUNT / 100);
  });
});

function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}
