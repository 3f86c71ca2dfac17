// The client's publish, subscribe and message delivery through its public API (clientHarness.ts).
import { describe, expect, it } from 'vitest';
import { encode } from '../../../firmware/mqtt/codec/encode.js';
import type { PublishPacket } from '../../../firmware/mqtt/codec/packet.js';
import { useUtf8, utf8Encode } from '../../../firmware/mqtt/codec/utf8.js';
import type { Utf8 } from '../../../hal/types.js';
import { fakeHal } from '../../support/fakeTransport.js';
import { createClient } from '../../../firmware/mqtt/client.js';
import { setup, txt } from '../../support/clientHarness.js';

describe('publishing', () => {
  it('QoS 0/1/2 callbacks: on write, PUBACK, PUBCOMP', () => {
    const { c, online } = setup();
    c.connect();
    const conn = online();
    const done: string[] = [];
    c.publish('q/0', 'a', undefined, (e) => done.push('0 ' + e));
    c.publish('q/1', 'b', { qos: 1 }, (e) => done.push('1 ' + e));
    c.publish('q/2', 'c', { qos: 2, retain: true }, (e) => done.push('2 ' + e));
    const [p0, p1, p2] = conn.take() as PublishPacket[];
    expect([p0!.qos, p1!.qos, p2!.qos, p2!.retain]).toEqual([0, 1, 2, true]);
    expect(done).toEqual(['0 undefined']);
    conn.send({ type: 4, id: p1!.id! });
    conn.send({ type: 5, id: p2!.id! });
    expect(conn.take()).toEqual([{ type: 6, id: p2!.id }]);
    expect(done).toEqual(['0 undefined', '1 undefined']);
    conn.send({ type: 7, id: p2!.id! });
    expect(done).toEqual(['0 undefined', '1 undefined', '2 undefined']);
  });

  it('throws at call time on a wildcard, an empty topic or a bad qos', () => {
    const { c } = setup();
    expect(() => c.publish('a/+', 'x')).toThrow(/wildcard/);
    expect(() => c.publish('#', 'x')).toThrow(/wildcard/);
    expect(() => c.publish('', 'x')).toThrow(/empty topic/);
    expect(() => c.publish('a', 'x', { qos: 3 as 1 })).toThrow(/qos/);
    expect(() => c.subscribe([])).toThrow();
    expect(() => c.unsubscribe([])).toThrow();
  });

  it('a full offline queue fails the publish with its numbers; nothing queued is lost', () => {
    const { c, log, online } = setup({ limits: { queueBytes: 100 } });
    const errs: (string | undefined)[] = [];
    const payload = 'x'.repeat(20); // 2 + 1 + 2 + 20 + 2 = 27 bytes encoded as QoS 1 on 'a'
    for (let k = 0; k < 4; k++) c.publish('a', payload, { qos: 1 }, (e) => errs.push(e));
    expect(errs).toEqual(['offline queue full: 81 bytes used of 100']);
    c.publish('a', payload, { qos: 1 }); // no callback: the error event gets it
    expect(log).toEqual(['error offline queue full: 81 bytes used of 100']);
    c.connect();
    const conn = online();
    expect(conn.take().length).toBe(3);
  });

  it('queues while offline and sends in order after CONNACK, honouring the in-flight window', () => {
    const { c, online } = setup({ limits: { inflight: 2 } });
    for (let k = 0; k < 4; k++) c.publish('t', 'm' + k, { qos: 1 });
    c.connect();
    const conn = online();
    const sent = conn.take();
    expect(sent.map(txt)).toEqual(['m0', 'm1']);
    conn.send({ type: 4, id: (sent[0] as PublishPacket).id! });
    conn.send({ type: 4, id: (sent[1] as PublishPacket).id! });
    expect(conn.take().map(txt)).toEqual(['m2', 'm3']);
  });

  it('after a drop and reconnect, unacknowledged messages go again with the same id and DUP=1', () => {
    const { c, transport, clock, online } = setup({}, { random: () => 0 });
    c.connect();
    let conn = online();
    c.publish('t', 'once', { qos: 1 });
    const [p] = conn.take() as PublishPacket[];
    conn.drop();
    clock.advance(0);
    conn = transport.last;
    conn.open();
    conn.take();
    conn.connack(0, true);
    expect(conn.take()).toEqual([{ ...p, dup: true }]);
  });
});

describe('receiving and subscribing', () => {
  it('delivers messages split across chunks and bursts, in order, QoS 2 once', () => {
    const { c, msgs, online } = setup();
    c.connect();
    const conn = online();
    const a = { type: 3, topic: 'in', payload: utf8Encode('first'), qos: 1, retain: false, dup: false, id: 1 } as const;
    const b = { type: 3, topic: 'in', payload: utf8Encode('second'), qos: 2, retain: false, dup: false, id: 2 } as const;
    const bytes = [...encode(a), ...encode(b), ...encode({ ...b, dup: true })];
    for (const x of bytes) conn.bytes([x]);
    expect(msgs).toEqual([['in', 'first'], ['in', 'second']]);
    expect(conn.take()).toEqual([{ type: 4, id: 1 }, { type: 5, id: 2 }, { type: 5, id: 2 }]);
  });

  it('subscribe reports SUBACK codes and names a refusal; unsubscribe completes on UNSUBACK', () => {
    const { c, online } = setup();
    const got: unknown[] = [];
    c.subscribe([{ topic: 'a/#', qos: 1 }, { topic: 'secret/#', qos: 0 }], (e, codes) => got.push([e, codes]));
    c.connect();
    const conn = online();
    const [sub] = conn.take() as { type: 8; id: number }[];
    expect(sub!.type).toBe(8);
    conn.send({ type: 9, id: sub!.id, codes: [1, 0x80] });
    expect(got).toEqual([['subscribe refused (0x80)', [1, 0x80]]]);
    c.subscribe([{ topic: 'b', qos: 2 }], (e, codes) => got.push([e, codes]));
    c.unsubscribe(['a/#'], (e) => got.push(['unsub', e]));
    const [s2, u] = conn.take() as { id: number }[];
    conn.send({ type: 11, id: u!.id });
    conn.send({ type: 9, id: s2!.id, codes: [2] });
    expect(got.slice(1)).toEqual([['unsub', undefined], [undefined, [2]]]);
  });

  it("converts text with the HAL's converter when it has one (Espruino's natives), for every client", () => {
    // A converter that logs and otherwise does what the JS one does.
    const calls: string[] = [];
    const node: Utf8 = {
      encode: (t) => (calls.push('encode ' + t), new Uint8Array(Buffer.from(t, 'utf8'))),
      decode: (b) => (calls.push('decode'), Buffer.from(b).toString('utf8')),
    };
    const f = fakeHal();
    try {
      const c = createClient({ ...f.hal, utf8: node }, { host: 'h', port: 1, tls: false, clientId: 'd', clean: true });
      const got: string[] = [];
      c.on('message', (t) => got.push(t));
      c.connect();
      const conn = f.transport.last;
      conn.open();
      conn.connack(0, false);
      conn.take();
      c.publish('caf\u00e9', '\u20ac');
      expect(txt(conn.take()[0])).toBe('\u20ac');
      conn.send({ type: 3, topic: '\u4e2d', payload: new Uint8Array(0), qos: 0, retain: false, dup: false });
      expect(got).toEqual(['\u4e2d']);
      // Text beyond ASCII goes through the HAL both ways (the test's broker shares the codec, so
      // its calls are counted too); ASCII needs no conversion.
      expect(calls).toEqual(expect.arrayContaining(['encode \u20ac', 'encode caf\u00e9', 'encode \u4e2d', 'decode']));
      expect(calls.filter((x) => x !== 'decode' && !/[^\0-\x7f]/.test(x))).toEqual([]);
    } finally {
      useUtf8(undefined);
    }
  });
});
