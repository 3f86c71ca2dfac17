// The client's half of the decoder: what a server sends is decoded exactly as the whole decoder
// does; what only a server receives comes out as a bare { type } for the session to reject.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientDecoder } from '../../../../firmware/mqtt/codec/client-decode.js';
import { encode } from '../../../../firmware/mqtt/codec/encode.js';
import type { Packet } from '../../../../firmware/mqtt/codec/packet.js';
import { plain } from '../../../support/mqttPacketOracle.js';
import { packetOf, pid, qos, splits } from './arbitraries.js';
import { b, goldens } from './golden.js';
import { concat, decodeChunks, type Outcome, oneByOne } from './helpers.js';
import { useUtf8 } from '../../../../firmware/mqtt/codec/utf8.js';

function clientChunks(chunks: Uint8Array[], maxPacket = 1 << 20): Outcome {
  const out: Outcome = { packets: [], errors: [] };
  const d = clientDecoder(maxPacket, (p) => out.packets.push(plain(p)), (e) => out.errors.push(e));
  for (const c of chunks) d.push(c);
  return out;
}

const fromServer = [2, 3, 4, 5, 6, 7, 9, 11, 13];
const toServer = [1, 8, 10, 12, 14];

describe('clientDecoder', () => {
  it('decodes every golden a server sends as the whole decoder does', () => {
    const gs = goldens.filter((g) => fromServer.includes(g.packet.type));
    expect(new Set(gs.map((g) => g.packet.type))).toEqual(new Set(fromServer));
    for (const g of gs) expect(clientChunks([g.bytes]), g.name).toEqual(decodeChunks([g.bytes]));
  });

  it('agrees with the whole decoder on random server packets, whole and split', () => {
    const server = fc.array(fc.oneof(...fromServer.map((t) => packetOf[t]!)), { minLength: 1, maxLength: 6 })
      .chain((ps) => {
        const data = concat(ps.map(encode));
        return fc.tuple(fc.constant(ps), fc.constant(data), splits(data));
      });
    fc.assert(fc.property(server, ([ps, data, chunks]) => {
      const want = { packets: ps.map(plain), errors: [] };
      expect(clientChunks([data])).toEqual(want);
      expect(clientChunks(chunks)).toEqual(want);
    }), { numRuns: 300 });
  });

  it('reports CONNECT, SUBSCRIBE and UNSUBSCRIBE as a bare type, body unread, and goes on', () => {
    for (const t of toServer) {
      const gs = goldens.filter((g) => g.packet.type == t);
      expect(gs.length, `goldens of type ${t}`).toBeGreaterThan(0);
      for (const g of gs) {
        const stream = concat([g.bytes, b(0xd0, 0)]);
        for (const chunks of [[stream], oneByOne(stream)]) {
          expect(clientChunks(chunks), g.name).toEqual({ packets: [{ type: t }, { type: 13 }], errors: [] });
        }
      }
    }
  });

  it('gives the same wire errors as the whole decoder on what a server sends', () => {
    const bad: number[][] = [
      [0xf0, 0x00], // reserved type
      [0x42, 0x02, 0, 1], // PUBACK flags
      [0x60, 0x02, 0, 1], // PUBREL flags
      [0x36, 0x05, 0, 1, 0x61, 0, 1], // PUBLISH QoS 3
      [0x30, 0x05, 0, 3, 0x61, 0xc0, 0x80], // overlong UTF-8
      [0x30, 0x04, 0, 2, 0x61, 0x00], // U+0000
      [0x30, 0x03, 0, 1, 0x23], // wildcard
      [0x30, 0x02, 0, 0], // empty topic
      [0x20, 0x02, 0x02, 0x00], // CONNACK flags
      [0x20, 0x03, 0, 0, 0], // CONNACK too long
      [0x90, 0x02, 0, 1], // SUBACK without codes
      [0x90, 0x03, 0, 1, 3], // SUBACK code 3
      [0xb0, 0x02, 0, 0], // UNSUBACK id 0
      [0xd0, 0x01, 0], // PINGRESP with a body
      [0x30, 0x80, 0x80, 0x80, 0x80, 0x01], // 5-byte remaining length
    ];
    for (const x of bad) {
      const data = new Uint8Array(x);
      const got = clientChunks([data]);
      expect(got.errors.length, x.join(',')).toBe(1);
      expect(got).toEqual(decodeChunks([data]));
    }
    expect(clientChunks([b(0x30, 0x7f)], 100).errors).toEqual(['[limit] packet of 129 bytes > 100']);
  });

  it('keeps decoders apart when one is fed from inside another one\'s callback', () => {
    // The parse cursor is shared; parsing ends before onPacket runs, so nesting is safe.
    const inner: Packet[] = [];
    const outer: Packet[] = [];
    const di = clientDecoder(1000, (p) => inner.push(plain(p)), (e) => expect.fail(e));
    const pub = encode({ type: 3, topic: 'in/x', payload: b('inner'), qos: 1, retain: false, dup: false, id: 7 });
    const d = clientDecoder(1000, (p) => {
      outer.push(plain(p));
      di.push(pub.subarray(0, 4));
      di.push(pub.subarray(4));
    }, (e) => expect.fail(e));
    const two = concat([encode({ type: 4, id: 1 }), encode({ type: 3, topic: 'out', payload: b('o'), qos: 0,
      retain: false, dup: false })]);
    d.push(two);
    expect(outer).toEqual([{ type: 4, id: 1 }, plain({ type: 3, topic: 'out', payload: b('o'), qos: 0, retain: false,
      dup: false })]);
    expect(inner).toEqual([plain({ type: 3, topic: 'in/x', payload: b('inner'), qos: 1, retain: false, dup: false,
      id: 7 }), plain({ type: 3, topic: 'in/x', payload: b('inner'), qos: 1, retain: false, dup: false, id: 7 })]);
  });

  it('decodes the usual chunk (a small PUBLISH, maybe followed by more) as any other, the same topic again too', () => {
    const pub = (topic: string, qos: 0 | 1, id?: number) =>
      ({ type: 3, topic, payload: b('p'), qos, retain: true, dup: qos > 0, ...(id ? { id } : {}) }) as Packet;
    const stream = [pub('a/b', 0), pub('a/b', 1, 5), pub('a/b', 0), pub('c', 1, 6), { type: 4, id: 2 } as Packet, pub('c', 0)];
    const want = { packets: stream.map(plain), errors: [] };
    expect(clientChunks(stream.map(encode))).toEqual(want);
    // A PUBLISH first in a chunk with more after it, and a PUBLISH with packet id 0, refused.
    expect(clientChunks([concat(stream.slice(0, 3).map(encode)), concat(stream.slice(3).map(encode))])).toEqual(want);
    expect(clientChunks([b(0x32, 0x05, 0, 1, 0x61, 0, 0)])).toEqual({ packets: [], errors: ['[MQTT-2.3.1-1]'] });
  });

  it('reads the usual chunk (a QoS 0 PUBLISH to the topic last read) as byte by byte, whatever follows it', () => {
    // A few topics, so that they repeat; payloads around the 128-byte remaining-length edge.
    const publish = fc.record({ topic: fc.constantFrom('a/b', 'a/bc', 'caf\u00e9', 'x'), length: fc.integer({ min: 0, max: 140 }),
      qos, retain: fc.boolean(), dup: fc.boolean(), id: pid })
      .map(({ length, id, ...r }) => ({ type: 3, ...r, payload: new Uint8Array(length).fill(length), ...(r.qos ? { id } : {}) }) as Packet);
    const stream = fc.array(fc.oneof({ weight: 4, arbitrary: publish }, { weight: 1, arbitrary: packetOf[4]! }), { minLength: 1, maxLength: 8 });
    fc.assert(fc.property(stream, fc.constantFrom(8, 40, 128, 129, 130, 1 << 20), (ps, maxPacket) => {
      const parts = ps.map(encode), data = concat(parts);
      const want = clientChunks(oneByOne(data), maxPacket);
      expect(clientChunks([data], maxPacket)).toEqual(want);
      expect(clientChunks(parts, maxPacket)).toEqual(want);
    }), { numRuns: 400 });
  });

  it('is dead after onPacket throws on the usual chunk too', () => {
    const pub = encode({ type: 3, topic: 't', payload: b(1), qos: 0, retain: false, dup: false });
    let calls = 0;
    const d = clientDecoder(100, () => {
      if (++calls == 2) throw new RangeError('app bug');
    }, () => expect.fail('not a wire error'));
    d.push(pub);
    expect(() => d.push(concat([pub, pub]))).toThrow('app bug');
    d.push(pub);
    expect(calls).toBe(2);
  });

  it('decodes topics when the platform cannot make a byte string just now (Espruino without a flat block)', () => {
    const node = { encode: (t: string) => new Uint8Array(Buffer.from(t, 'utf8')), decode: (x: Uint8Array) => Buffer.from(x).toString('utf8'),
      byteString: () => undefined };
    useUtf8(node);
    try {
      const ps = [{ type: 3, topic: 'a/b', payload: b('x'), qos: 0, retain: false, dup: false },
        { type: 3, topic: 'caf\u00e9', payload: b('y'), qos: 1, retain: false, dup: false, id: 3 }] as Packet[];
      expect(clientChunks(ps.map(encode))).toEqual({ packets: ps.map(plain), errors: [] });
      expect(clientChunks([b(0x30, 0x04, 0, 2, 0x61, 0)])).toEqual({ packets: [], errors: ['[MQTT-1.5.3-2]'] });
    } finally {
      useUtf8(undefined);
    }
  });
});
