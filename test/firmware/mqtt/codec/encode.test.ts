import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from '../../../../firmware/mqtt/codec/encode.js';
import type { Packet, PublishPacket } from '../../../../firmware/mqtt/codec/packet.js';
import { plain } from '../../../support/mqttPacketOracle.js';
import { packet } from './arbitraries.js';
import { goldens } from './golden.js';
import { decodeChunks } from './helpers.js';

const pub = (topic: string, payloadLength: number, extra: Partial<PublishPacket> = {}): PublishPacket =>
  ({ type: 3, topic, payload: new Uint8Array(payloadLength), qos: 0, retain: false, dup: false, ...extra });

describe('encode', () => {
  for (const g of goldens) {
    it('golden: ' + g.name, () => {
      expect(encode(g.packet)).toEqual(g.bytes);
    });
  }

  it('round-trips random packets through the decoder', () => {
    fc.assert(fc.property(packet, (p) => {
      const bytes = encode(p);
      expect(decodeChunks([bytes])).toEqual({ packets: [plain(p)], errors: [] });
    }), { numRuns: 1000 });
  });

  it('writes the reserved 0010 flags of PUBREL, SUBSCRIBE and UNSUBSCRIBE, 0000 elsewhere', () => {
    expect(encode({ type: 6, id: 1 })[0]).toBe(0x62);
    expect(encode({ type: 8, id: 1, subs: [{ topic: 'a', qos: 0 }] })[0]).toBe(0x82);
    expect(encode({ type: 10, id: 1, topics: ['a'] })[0]).toBe(0xa2);
    for (const t of [4, 5, 7, 11] as const) expect(encode({ type: t, id: 1 })[0]).toBe(t << 4);
    for (const t of [12, 13, 14] as const) expect([...encode({ type: t })]).toEqual([t << 4, 0]);
  });

  describe('remaining length boundaries', () => {
    // PUBLISH with topic 'a' has 3 bytes before its payload, so payload = remaining - 3.
    const cases: [number, number[]][] = [
      [127, [0x7f]],
      [128, [0x80, 0x01]],
      [16383, [0xff, 0x7f]],
      [16384, [0x80, 0x80, 0x01]],
      [2097151, [0xff, 0xff, 0x7f]],
      [2097152, [0x80, 0x80, 0x80, 0x01]],
      [268435455, [0xff, 0xff, 0xff, 0x7f]],
    ];
    it('0 (PINGREQ)', () => {
      expect([...encode({ type: 12 })]).toEqual([0xc0, 0x00]);
    });
    for (const [n, header] of cases) {
      it(String(n), () => {
        const out = encode(pub('a', n - 3));
        expect(out.length).toBe(1 + header.length + n);
        expect([...out.subarray(0, 1 + header.length + 3)]).toEqual([0x30, ...header, 0, 1, 0x61]);
        if (n <= 2097152) {
          // The decoder reads the same length back (the biggest is checked by header in decode tests).
          const r = decodeChunks([out]);
          expect(r.errors).toEqual([]);
          expect((r.packets[0] as PublishPacket).payload.length).toBe(n - 3);
        }
      });
    }
    it('268435456 throws', () => {
      expect(() => encode(pub('a', 268435456 - 3))).toThrow(/bad size 268435456/);
    });
  });

  describe('throws on a packet that cannot go on the wire', () => {
    const bad: [string, Packet, RegExp][] = [
      ['string of 65536 bytes', pub('a'.repeat(65536), 0), /bad length 65536/],
      ['string of 65538 UTF-8 bytes (21846 x 3)', pub('\u20ac'.repeat(21846), 0), /bad length 65538/],
      ['client id too long', { type: 1, clientId: 'c'.repeat(70000), clean: true, keepalive: 0 }, /bad length 70000/],
      ['password too long', { type: 1, clientId: 'c', clean: true, keepalive: 0, username: 'u',
        password: new Uint8Array(65536) }, /bad length 65536/],
      ['will payload too long', { type: 1, clientId: 'c', clean: true, keepalive: 0,
        will: { topic: 't', payload: new Uint8Array(65536), qos: 0, retain: false } }, /bad length 65536/],
      ['PUBLISH id 0', pub('a', 0, { qos: 1, id: 0 }), /bad packet id 0/],
      ['PUBLISH id missing', pub('a', 0, { qos: 2 }), /packet id undefined/],
      ['PUBACK id 65536', { type: 4, id: 65536 }, /packet id 65536/],
      ['PUBREL id -1', { type: 6, id: -1 }, /packet id -1/],
      ['UNSUBACK id 1.5', { type: 11, id: 1.5 }, /packet id 1.5/],
      ['SUBSCRIBE id 0', { type: 8, id: 0, subs: [{ topic: 'a', qos: 0 }] }, /bad packet id 0/],
      ['SUBACK id 70000', { type: 9, id: 70000, codes: [0] }, /packet id 70000/],
      ['UNSUBSCRIBE id NaN', { type: 10, id: NaN, topics: ['a'] }, /packet id NaN/],
      ['PUBLISH qos 3', pub('a', 0, { qos: 3 as 0, id: 1 }), /bad qos 3/],
      ['PUBLISH qos -1', pub('a', 0, { qos: -1 as 0 }), /qos -1/],
      ['will qos 3', { type: 1, clientId: 'c', clean: true, keepalive: 0,
        will: { topic: 't', payload: new Uint8Array(0), qos: 3 as 0, retain: false } }, /bad qos 3/],
      ['subscription qos 4', { type: 8, id: 1, subs: [{ topic: 'a', qos: 4 as 0 }] }, /qos 4/],
      ['wildcard + in PUBLISH topic', pub('a/+/b', 0), /bad topic \(wildcard or empty topic\) a\/\+\/b/],
      ['wildcard # in PUBLISH topic', pub('#', 0), /bad topic \(wildcard or empty topic\) #/],
      ['empty PUBLISH topic', pub('', 0), /empty topic/],
      ['empty subscription list', { type: 8, id: 1, subs: [] }, /bad list \[\]/],
      ['empty unsubscription list', { type: 10, id: 1, topics: [] }, /bad list \[\]/],
      ['empty SUBACK', { type: 9, id: 1, codes: [] }, /bad list \[\]/],
      ['password without username', { type: 1, clientId: 'c', clean: true, keepalive: 0,
        password: new Uint8Array(1) }, /bad password without username \[MQTT-3\.1\.2-22\]/],
      ['keepalive 65536', { type: 1, clientId: 'c', clean: true, keepalive: 65536 }, /keepalive 65536/],
    ];
    for (const [name, p, msg] of bad) {
      it(name, () => {
        expect(() => encode(p)).toThrow(Error);
        expect(() => encode(p)).toThrow(msg);
      });
    }

    it('accepts a string of exactly 65535 bytes', () => {
      const out = encode(pub('a'.repeat(65535), 0));
      expect(out.length).toBe(1 + 3 + 2 + 65535);
    });
  });

  it('ignores the id of a QoS 0 PUBLISH', () => {
    expect(encode(pub('a', 0, { id: 9 }))).toEqual(encode(pub('a', 0)));
  });
});
