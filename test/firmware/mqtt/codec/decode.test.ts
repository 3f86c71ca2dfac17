import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../../../firmware/mqtt/codec/decode.js';
import { encode } from '../../../../firmware/mqtt/codec/encode.js';
import type { Packet, PublishPacket } from '../../../../firmware/mqtt/codec/packet.js';
import { plain } from '../../../support/mqttPacketOracle.js';
import { packet, splits } from './arbitraries.js';
import { b, goldenStream, goldens } from './golden.js';
import { concat, decodeChunks, oneByOne, WIRE_ERROR } from './helpers.js';

const all = goldens.map((g) => plain(g.packet));

describe('decode goldens', () => {
  for (const g of goldens) {
    it(g.name, () => {
      expect(decodeChunks([g.bytes])).toEqual({ packets: [plain(g.packet)], errors: [] });
    });
  }
});

describe('feeding', () => {
  const stream = goldenStream();

  it('all goldens in one chunk', () => {
    expect(decodeChunks([stream])).toEqual({ packets: all, errors: [] });
  });

  it('all goldens one byte at a time', () => {
    expect(decodeChunks(oneByOne(stream))).toEqual({ packets: all, errors: [] });
  });

  it('all goldens in random splits', () => {
    fc.assert(fc.property(splits(stream), (chunks) => {
      expect(decodeChunks(chunks)).toEqual({ packets: all, errors: [] });
    }), { numRuns: 500 });
  });

  it('random packet streams: whole, byte by byte and random splits agree', () => {
    const streams = fc.array(packet, { minLength: 1, maxLength: 8 }).chain((ps) => {
      const data = concat(ps.map(encode));
      return fc.tuple(fc.constant(ps), fc.constant(data), splits(data));
    });
    fc.assert(fc.property(streams, ([ps, data, chunks]) => {
      const want = { packets: ps.map(plain), errors: [] };
      expect(decodeChunks([data])).toEqual(want);
      expect(decodeChunks(chunks)).toEqual(want);
      if (data.length < 2000) expect(decodeChunks(oneByOne(data))).toEqual(want);
    }), { numRuns: 300 });
  });

  it('a delivered packet stays intact when more bytes are pushed, and chunks are not written to', () => {
    const got: Packet[] = [];
    const d = createDecoder(4096, (p) => got.push(p), (e) => expect.fail(e));
    const first = encode({ type: 3, topic: 't', payload: b('first payload'), qos: 0, retain: false, dup: false });
    const second = encode({ type: 3, topic: 't', payload: b('SECOND PAYLOAD'), qos: 1, retain: false, dup: false,
      id: 5 });
    // The first packet split over two chunks (so it is buffered), the second starts in the same chunk.
    const c1 = first.slice(0, 5);
    const c2 = concat([first.slice(5), second.slice(0, 3)]);
    const c3 = second.slice(3);
    const copies = [c1, c2, c3].map((c) => c.slice());
    d.push(c1);
    d.push(c2);
    expect(got.length).toBe(1);
    const p1 = got[0] as PublishPacket;
    d.push(c3);
    d.push(first); // a whole packet in place
    expect(got.length).toBe(3);
    expect(new TextDecoder().decode(p1.payload)).toBe('first payload');
    expect(new TextDecoder().decode((got[1] as PublishPacket).payload)).toBe('SECOND PAYLOAD');
    expect([c1, c2, c3]).toEqual(copies);
  });

  it('an empty chunk changes nothing', () => {
    expect(decodeChunks([new Uint8Array(0), b(0xc0), new Uint8Array(0), b(0), new Uint8Array(0)]))
      .toEqual({ packets: [{ type: 12 }], errors: [] });
  });
});

describe('maximum packet size', () => {
  it('throws at once on a maxPacket that would turn the check off', () => {
    for (const m of [NaN, 0, 1, -5, undefined as unknown as number]) {
      expect(() => createDecoder(m, () => {}, () => {})).toThrow(/bad maxPacket/);
    }
    expect(() => createDecoder(2, () => {}, () => {})).not.toThrow();
  });

  it('accepts a packet of exactly maxPacket bytes, rejects one byte more', () => {
    const p = (n: number) => encode({ type: 3, topic: 'a', payload: new Uint8Array(n), qos: 0, retain: false,
      dup: false });
    expect(p(100).length).toBe(2 + 3 + 100);
    expect(decodeChunks([p(100)], 105).errors).toEqual([]);
    expect(decodeChunks([p(101)], 105)).toEqual({
      packets: [], errors: ['[limit] packet of 106 bytes > 105'],
    });
  });

  it('rejects a header claiming 268435455 bytes at once, before any body arrives', () => {
    const errors: string[] = [];
    const d = createDecoder(4096, () => expect.fail('no packet'), (e) => errors.push(e));
    d.push(b(0x30, 0xff, 0xff, 0xff));
    expect(errors).toEqual([]);
    d.push(b(0x7f));
    expect(errors).toEqual(['[limit] packet of 268435460 bytes > 4096']);
    d.push(new Uint8Array(1000)); // dead: ignored
    expect(errors.length).toBe(1);
  });

  it('reads every remaining-length size back', () => {
    // (Remaining length 0 is PINGREQ, PINGRESP and DISCONNECT among the goldens.)
    for (const [n, header] of [[127, [0x7f]], [128, [0x80, 1]], [16383, [0xff, 0x7f]],
      [16384, [0x80, 0x80, 1]], [2097151, [0xff, 0xff, 0x7f]], [2097152, [0x80, 0x80, 0x80, 1]]] as const) {
      // Header alone, against a limit one byte too small: the size it computes shows in the error.
      const r = decodeChunks([b(0x30, ...header)], n + header.length);
      expect(r.errors).toEqual([`[limit] packet of ${n + header.length + 1} bytes > ${n + header.length}`]);
    }
  });
});

// Each wire error: bytes, the clause the error must start with.
const wire: [string, number[], string][] = [
  ['reserved type 0', [0x00, 0x00], '[MQTT-2.2.1]'],
  ['reserved type 15', [0xf0, 0x00], '[MQTT-2.2.1]'],
  ['CONNECT flags 0001', [0x11, 0x00], '[MQTT-2.2.2-1]'],
  ['PUBACK flags 0010', [0x42, 0x02, 0, 1], '[MQTT-2.2.2-1]'],
  ['PINGREQ flags 1000', [0xc8, 0x00], '[MQTT-2.2.2-1]'],
  ['DISCONNECT flags 0001', [0xe1, 0x00], '[MQTT-2.2.2-1]'],
  ['PUBREL flags 0000', [0x60, 0x02, 0, 1], '[MQTT-3.6.1-1]'],
  ['SUBSCRIBE flags 0000', [0x80, 0x06, 0, 1, 0, 1, 0x61, 0], '[MQTT-3.8.1-1]'],
  ['SUBSCRIBE flags 1010', [0x8a, 0x06, 0, 1, 0, 1, 0x61, 0], '[MQTT-3.8.1-1]'],
  ['UNSUBSCRIBE flags 0011', [0xa3, 0x05, 0, 1, 0, 1, 0x61], '[MQTT-3.10.1-1]'],
  ['PUBLISH QoS 3', [0x36, 0x05, 0, 1, 0x61, 0, 1], '[MQTT-3.3.1-4]'],
  ['remaining length of 5 bytes', [0x30, 0x80, 0x80, 0x80, 0x80, 0x01], '[MQTT-2.2.3]'],
  ['invalid UTF-8 in topic (overlong)', [0x30, 0x05, 0, 3, 0x61, 0xc0, 0x80], '[MQTT-1.5.3-1]'],
  ['invalid UTF-8 in topic (surrogate)', [0x30, 0x05, 0, 3, 0xed, 0xa0, 0x80], '[MQTT-1.5.3-1]'],
  ['truncated UTF-8 in client id', [0x10, 0x0e, 0, 4, ...b('MQTT'), 4, 2, 0, 0, 0, 2, 0x61, 0xe2], '[MQTT-1.5.3-1]'],
  ['U+0000 in topic', [0x30, 0x04, 0, 2, 0x61, 0x00], '[MQTT-1.5.3-2]'],
  ['U+0000 in subscription filter', [0x82, 0x06, 0, 1, 0, 1, 0x00, 0], '[MQTT-1.5.3-2]'],
  ['protocol name MQIsdp', [0x10, 0x0f, 0, 6, ...b('MQIsdp'), 3, 2, 0, 0, 0, 1, 0x61], '[MQTT-3.1.2-1]'],
  ['protocol level 5', [0x10, 0x0d, 0, 4, ...b('MQTT'), 5, 2, 0, 0, 0, 1, 0x61], '[MQTT-3.1.2-2]'],
  ['CONNECT reserved flag', [0x10, 0x0d, 0, 4, ...b('MQTT'), 4, 3, 0, 0, 0, 1, 0x61], '[MQTT-3.1.2-3]'],
  ['will QoS without will flag', [0x10, 0x0d, 0, 4, ...b('MQTT'), 4, 0x0a, 0, 0, 0, 1, 0x61], '[MQTT-3.1.2-13]'],
  ['will QoS 3', [0x10, 0x13, 0, 4, ...b('MQTT'), 4, 0x1e, 0, 0, 0, 1, 0x61, 0, 1, 0x77, 0, 0], '[MQTT-3.1.2-14]'],
  ['will retain without will flag', [0x10, 0x0d, 0, 4, ...b('MQTT'), 4, 0x22, 0, 0, 0, 1, 0x61], '[MQTT-3.1.2-15]'],
  ['password without username', [0x10, 0x10, 0, 4, ...b('MQTT'), 4, 0x42, 0, 0, 0, 1, 0x61, 0, 1, 0x70],
    '[MQTT-3.1.2-22]'],
  // 3.2.2.1 is the section: the spec gives this rule no number ([MQTT-3.2.2-1] is another rule).
  ['CONNACK reserved flags', [0x20, 0x02, 0x02, 0x00], '[MQTT-3.2.2.1]'],
  ['SUBSCRIBE without filters', [0x82, 0x02, 0, 1], '[MQTT-3.8.3-3]'],
  ['SUBSCRIBE QoS byte 3', [0x82, 0x06, 0, 1, 0, 1, 0x61, 3], '[MQTT-3.8.3-4]'],
  ['SUBSCRIBE QoS byte reserved bits', [0x82, 0x06, 0, 1, 0, 1, 0x61, 0x41], '[MQTT-3.8.3-4]'],
  ['UNSUBSCRIBE without topics', [0xa2, 0x02, 0, 1], '[MQTT-3.10.3-2]'],
  ['SUBACK without return codes', [0x90, 0x02, 0, 1], '[MQTT-3.9.3-1]'],
  ['SUBACK return code 3', [0x90, 0x03, 0, 1, 3], '[MQTT-3.9.3-2]'],
  ['SUBACK return code 0x81', [0x90, 0x04, 0, 1, 0x80, 0x81], '[MQTT-3.9.3-2]'],
  ['PUBACK id 0', [0x40, 0x02, 0, 0], '[MQTT-2.3.1-1]'],
  ['PUBREC id 0', [0x50, 0x02, 0, 0], '[MQTT-2.3.1-1]'],
  ['UNSUBACK id 0', [0xb0, 0x02, 0, 0], '[MQTT-2.3.1-1]'],
  ['PUBLISH QoS 1 id 0', [0x32, 0x05, 0, 1, 0x61, 0, 0], '[MQTT-2.3.1-1]'],
  ['SUBSCRIBE id 0', [0x82, 0x06, 0, 0, 0, 1, 0x61, 0], '[MQTT-2.3.1-1]'],
  ['SUBACK id 0', [0x90, 0x03, 0, 0, 0], '[MQTT-2.3.1-1]'],
  ['topic length past the end', [0x30, 0x03, 0, 5, 0x61], '[MQTT-4.8.0-1]'],
  ['PUBACK of 1 byte', [0x40, 0x01, 0], '[MQTT-4.8.0-1]'],
  ['PUBLISH QoS 1 without room for its id', [0x32, 0x04, 0, 1, 0x61, 0], '[MQTT-4.8.0-1]'],
  ['CONNECT cut after the flags', [0x10, 0x08, 0, 4, ...b('MQTT'), 4, 2], '[MQTT-4.8.0-1]'],
  ['will payload length past the end', [0x10, 0x11, 0, 4, ...b('MQTT'), 4, 6, 0, 0, 0, 1, 0x61, 0, 0, 0, 9],
    '[MQTT-4.8.0-1]'],
  ['SUBSCRIBE filter without its QoS byte', [0x82, 0x05, 0, 1, 0, 1, 0x61], '[MQTT-4.8.0-1]'],
  ['PUBACK with a trailing byte', [0x40, 0x03, 0, 1, 0], '[MQTT-4.8.0-1]'],
  ['PINGREQ with a body', [0xc0, 0x01, 0], '[MQTT-4.8.0-1]'],
  ['CONNACK of 3 bytes', [0x20, 0x03, 0, 0, 0], '[MQTT-4.8.0-1]'],
  ['CONNECT with a trailing byte', [0x10, 0x0e, 0, 4, ...b('MQTT'), 4, 2, 0, 0, 0, 1, 0x61, 0], '[MQTT-4.8.0-1]'],
  ['wildcard + in PUBLISH topic', [0x30, 0x05, 0, 3, 0x61, 0x2f, 0x2b], '[MQTT-3.3.2-2]'],
  ['wildcard # in PUBLISH topic', [0x30, 0x03, 0, 1, 0x23], '[MQTT-3.3.2-2]'],
  ['empty PUBLISH topic', [0x30, 0x02, 0, 0], '[MQTT-4.7.3-1]'],
];

describe('wire errors', () => {
  for (const [name, bytes, clause] of wire) {
    it(`${name} -> ${clause}`, () => {
      const data = new Uint8Array(bytes);
      for (const chunks of [[data], oneByOne(data)]) {
        const errors: string[] = [];
        const packets: Packet[] = [];
        const d = createDecoder(1000, (p) => packets.push(p), (e) => errors.push(e));
        expect(() => {
          for (const c of chunks) d.push(c);
          // Dead after the first error: a valid packet is ignored.
          d.push(b(0xc0, 0));
        }).not.toThrow();
        expect(packets).toEqual([]);
        expect(errors.length).toBe(1);
        expect(errors).toEqual([clause]);
        expect(clause).toMatch(WIRE_ERROR);
      }
    });
  }

  it('reports an error after the packets before it, and the packets only', () => {
    const r = decodeChunks([b(0xc0, 0, 0xd0, 0, 0x40, 2, 0, 0, 0xc0, 0)]);
    expect(r).toEqual({ packets: [{ type: 12 }, { type: 13 }], errors: ['[MQTT-2.3.1-1]'] });
  });

  it('an exception from onPacket reaches the caller and leaves the decoder dead', () => {
    let calls = 0;
    const d = createDecoder(100, () => {
      calls++;
      throw new RangeError('app bug');
    }, () => expect.fail('not a wire error'));
    expect(() => d.push(b(0xc0, 0, 0xc0, 0))).toThrow('app bug');
    d.push(b(0xc0, 0));
    expect(calls).toBe(1);
  });
});
