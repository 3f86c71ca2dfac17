// The client's half of the encoder: what a client sends comes out byte for byte as from the whole
// encoder; payloads and passwords may also be given as strings (UTF-8).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientEncode, encodePublish } from '../../../../firmware/mqtt/codec/client-encode.js';
import { encode } from '../../../../firmware/mqtt/codec/encode.js';
import type { Packet } from '../../../../firmware/mqtt/codec/packet.js';
import { useUtf8, utf8Encode } from '../../../../firmware/mqtt/codec/utf8.js';
import { packetOf } from './arbitraries.js';
import { goldens } from './golden.js';
import { oracleGenerate } from '../../../support/mqttPacketOracle.js';

const fromClient = [1, 3, 4, 5, 6, 7, 8, 10, 12, 14];

describe('clientEncode', () => {
  it('writes every golden a client sends, and UNSUBACK and PINGRESP, as the whole encoder does', () => {
    const gs = goldens.filter((g) => g.packet.type != 2 && g.packet.type != 9);
    expect(new Set(gs.map((g) => g.packet.type))).toEqual(new Set([...fromClient, 11, 13]));
    for (const g of gs) expect(clientEncode(g.packet), g.name).toEqual(g.bytes);
  });

  it('agrees with the whole encoder on random client packets', () => {
    fc.assert(fc.property(fc.oneof(...fromClient.map((t) => packetOf[t]!)), (p) => {
      expect(clientEncode(p)).toEqual(encode(p));
    }), { numRuns: 500 });
  });

  it('takes string payloads, passwords and will payloads as UTF-8', () => {
    const s = 'h\u00e9\u20ac\u{1F642}';
    const pub = (payload: unknown) => ({ type: 3, topic: 't', payload, qos: 1, retain: false, dup: false, id: 9 }) as Packet;
    expect(clientEncode(pub(s))).toEqual(encode(pub(utf8Encode(s))));
    const con = (pw: unknown, wp: unknown) => ({ type: 1, clientId: 'c', clean: true, keepalive: 0, username: 'u',
      password: pw, will: { topic: 'w', payload: wp, qos: 0, retain: false } }) as Packet;
    expect(clientEncode(con(s, s))).toEqual(encode(con(utf8Encode(s), utf8Encode(s))));
  });

  it('sizes and writes strings on both sides of the ASCII shortcut as mqtt-packet does', () => {
    for (const s of ['a', '\x7f', '\x80', 'abc\x7f', 'abc\x80', 'x/\u07ff/\u0800', 'caf\u00e9', '\u{1F642}/t',
      'lone \ud800 high', 'lone \udc00 low', 'a'.repeat(200) + '\u00e9']) {
      const ps: Packet[] = [{ type: 3, topic: s, payload: new Uint8Array([1, 2]), qos: 1, retain: false, dup: false, id: 5 },
        { type: 1, clientId: s, clean: true, keepalive: 10, username: s + s },
        { type: 10, id: 2, topics: [s, 'b'] }];
      for (const p of ps) expect(clientEncode(p), JSON.stringify(s)).toEqual(oracleGenerate(p));
    }
  });

  it('writes the usual PUBLISH (the topic again, QoS 0, under 128 bytes) and all near it as mqtt-packet does', () => {
    for (const topic of ['a/b', 'caf\u00e9'])
      for (const length of [0, 1, 100, 119, 120, 121, 122, 123, 124, 125, 126, 127, 200])
        for (const [qos, retain, dup] of [[0, false, false], [0, true, false], [0, false, true], [1, true, false]] as const) {
          const p: Packet = { type: 3, topic, payload: new Uint8Array(length).fill(7), qos, retain, dup, ...(qos ? { id: 9 } : {}) };
          // The first time the topic is new to the encoder, the second it is not. DUP is not
          // written at QoS 0 [MQTT-3.3.1-2].
          const want = oracleGenerate({ ...p, dup: qos > 0 && dup });
          for (const time of [1, 2]) expect(clientEncode(p), `${topic} ${length} ${qos} ${retain} ${dup} #${time}`).toEqual(want);
        }
  });

  it('writes DUP only at QoS 1 and 2 [MQTT-3.3.1-2]', () => {
    const p = { type: 3, topic: 'dup', payload: new Uint8Array(1), retain: false, dup: true } as const;
    for (const time of [1, 2]) expect(clientEncode({ ...p, qos: 0 })[0], `#${time}`).toBe(0x30);
    expect(clientEncode({ ...p, qos: 1, id: 1 })[0]).toBe(0x3a);
  });

  it('encodePublish writes a PUBLISH from its fields as clientEncode writes the packet, usual or not', () => {
    for (const topic of ['a/b', 'caf\u00e9', 'a/b'])
      for (const length of [0, 20, 124, 125, 126, 300])
        for (const [qos, retain] of [[0, false], [0, true], [1, false], [2, true]] as const) {
          const payload = new Uint8Array(length).fill(5);
          const id = qos ? 7 : undefined;
          const want = oracleGenerate({ type: 3, topic, payload, qos, retain, dup: false, ...(qos ? { id } : {}) });
          for (const time of [1, 2]) expect(encodePublish(topic, payload, qos, retain, id), `${topic} ${length} ${qos} ${retain} #${time}`).toEqual(want);
        }
    expect(() => encodePublish('a/#', new Uint8Array(1), 0, false)).toThrow(/bad topic/);
    expect(() => encodePublish('a', new Uint8Array(1), 3 as 0, false)).toThrow(/bad qos 3/);
    expect(() => encodePublish('a', new Uint8Array(1), 1, false)).toThrow(/bad packet id/);
  });

  it('encodePublish given text where bytes belong writes its UTF-8 bytes, not the characters', () => {
    const s = 'h\u00e9';
    const want = oracleGenerate({ type: 3, topic: 'text', payload: utf8Encode(s), qos: 0, retain: false, dup: false });
    for (const time of [1, 2]) expect(encodePublish('text', s as unknown as Uint8Array, 0, false), `#${time}`).toEqual(want);
  });

  it('refuses a PUBLISH packet without a qos rather than sending it at QoS 0', () => {
    const p = { type: 3, topic: 'q', payload: new Uint8Array(1), retain: false, dup: false } as unknown as Packet;
    for (const time of [1, 2]) expect(() => clientEncode(p), `#${time}`).toThrow(/bad qos undefined/);
  });

  it('takes the other way for a payload given as text, or one the platform cannot make a byte string of just now', () => {
    const s = 'h\u00e9';
    const pub = (payload: unknown) => ({ type: 3, topic: 'usual', payload, qos: 0, retain: false, dup: false }) as Packet;
    const want = oracleGenerate(pub(utf8Encode(s)));
    for (const time of [1, 2]) expect(clientEncode(pub(s)), `#${time}`).toEqual(want);
    useUtf8({ encode: (t: string) => new Uint8Array(Buffer.from(t, 'utf8')), decode: (x: Uint8Array) => Buffer.from(x).toString('utf8'),
      byteString: () => undefined });
    try {
      for (const time of [1, 2]) expect(clientEncode(pub(utf8Encode(s))), `#${time}`).toEqual(want);
    } finally {
      useUtf8(undefined);
    }
  });

  it('refuses a CONNACK, which only a server sends', () => {
    expect(() => clientEncode({ type: 2, sessionPresent: false, rc: 0 })).toThrow(/bad packet id/);
  });

  it('starts clean after a packet that threw', () => {
    const ok: Packet = { type: 8, id: 3, subs: [{ topic: 'a', qos: 1 }] };
    const want = clientEncode(ok);
    expect(() => clientEncode({ type: 8, id: 3, subs: [{ topic: 'a', qos: 1 }, { topic: 'b', qos: 5 as 1 }] }))
      .toThrow(/bad qos 5/);
    expect(clientEncode(ok)).toEqual(want);
  });
});
