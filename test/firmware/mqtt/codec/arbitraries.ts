// fast-check arbitraries for every MQTT 3.1.1 packet, in our shapes. Strings mix ASCII with any
// code point (astral ones included), never U+0000 [MQTT-1.5.3-2].
import fc from 'fast-check';
import type { Packet, QoS } from '../../../../firmware/mqtt/codec/packet.js';

const unit = fc.oneof(fc.constantFrom('a', 'b', '/', '+', '#', ' '), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
/** Usually short; one in ten is long enough to need two-byte lengths everywhere. */
export const text = (maxLength = 12) =>
  fc.oneof({ weight: 9, arbitrary: fc.string({ unit, maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit, minLength: 100, maxLength: 300 }) })
    .filter((s) => s.indexOf('\0') < 0);
const blob = fc.oneof({ weight: 9, arbitrary: fc.uint8Array({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 200, maxLength: 400 }) });
export const topicName = (maxLength = 12) =>
  text(maxLength).filter((s) => s.length > 0 && !/[#+]/.test(s));
export const qos = fc.constantFrom<QoS>(0, 1, 2);
export const pid = fc.integer({ min: 1, max: 65535 });
/** Mostly small, sometimes past the 1- and 2-byte remaining-length limits. */
export const payload = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 100, maxLength: 300 }) },
  { weight: 1, arbitrary: fc.integer({ min: 16380, max: 16500 }).map((n) => new Uint8Array(n).fill(n & 255)) },
);

const connect = fc.record({
  clientId: text(),
  clean: fc.boolean(),
  keepalive: fc.integer({ min: 0, max: 65535 }),
  will: fc.option(fc.record({ topic: topicName(), payload: blob, qos,
    retain: fc.boolean() }), { nil: undefined }),
  login: fc.option(fc.record({
    username: text(),
    password: fc.option(blob, { nil: undefined }),
  }), { nil: undefined }),
}).map(({ login, will, ...r }) => {
  const p: Packet = { type: 1, ...r };
  if (will) p.will = will;
  if (login) {
    p.username = login.username;
    if (login.password) p.password = login.password;
  }
  // mqtt-packet refuses to generate an empty client id without a clean session [MQTT-3.1.3-7].
  if (!p.clientId && !p.clean) p.clientId = 'x';
  return p;
});

// DUP only at QoS 1 and 2: it MUST be 0 at QoS 0 [MQTT-3.3.1-2], and the encoder writes it so.
const publish = fc.record({ topic: topicName(20), payload, qos, retain: fc.boolean(), dup: fc.boolean(), id: pid })
  .map(({ id, ...r }): Packet => (r.qos ? { type: 3, ...r, id } : { type: 3, ...r, dup: false }));

const list = <T>(item: fc.Arbitrary<T>) => fc.array(item, { minLength: 1, maxLength: 5 });

/** One arbitrary per packet type, indexed by the type code (1..14). */
export const packetOf: fc.Arbitrary<Packet>[] = [
  fc.constant({ type: 14 }), // index 0: a placeholder, type 0 is reserved
  connect,
  fc.record({ sessionPresent: fc.boolean(), rc: fc.integer({ min: 0, max: 255 }) })
    .map((r): Packet => ({ type: 2, ...r })),
  publish,
  ...[4, 5, 6, 7].map((t) => pid.map((id) => ({ type: t, id }) as Packet)),
  fc.record({ id: pid, subs: list(fc.record({ topic: text(), qos })) }).map((r): Packet => ({ type: 8, ...r })),
  fc.record({ id: pid, codes: list(fc.constantFrom(0, 1, 2, 0x80)) }).map((r): Packet => ({ type: 9, ...r })),
  fc.record({ id: pid, topics: list(text()) }).map((r): Packet => ({ type: 10, ...r })),
  pid.map((id): Packet => ({ type: 11, id })),
  fc.constant({ type: 12 }),
  fc.constant({ type: 13 }),
  fc.constant({ type: 14 }),
];

export const packet: fc.Arbitrary<Packet> = fc.oneof(...packetOf.slice(1));

/** Splits data into chunks at random points (some empty). */
export const splits = (data: Uint8Array) =>
  fc.array(fc.integer({ min: 0, max: data.length }), { maxLength: 12 }).map((cuts) => {
    const at = [0, ...cuts.sort((a, b) => a - b), data.length];
    const out: Uint8Array[] = [];
    for (let i = 1; i < at.length; i++) out.push(data.slice(at[i - 1], at[i]));
    return out;
  });
