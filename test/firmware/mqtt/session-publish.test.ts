// The session's PUBLISH flows at QoS 0, 1 and 2, both ways, and the in-flight window (sessionHarness.ts).
import { describe, expect, it } from 'vitest';
import type { PublishPacket } from '../../../firmware/mqtt/codec/packet.js';
import { utf8Encode } from '../../../firmware/mqtt/codec/utf8.js';
import { harness, txt } from '../../support/sessionHarness.js';

describe('outgoing PUBLISH', () => {
  it('QoS 0 is written at once and its callback fires', () => {
    const { s, up, take } = harness();
    up();
    take();
    const done: unknown[] = [];
    s.publish_('a/b', 'hi', 0, true, (e) => done.push(e));
    const [p] = take();
    expect(p).toMatchObject({ type: 3, topic: 'a/b', qos: 0, retain: true, dup: false });
    expect(txt(p!)).toBe('hi');
    expect(done).toEqual([undefined]);
  });

  it('QoS 1 completes on PUBACK', () => {
    const { s, up, take, ob } = harness();
    up();
    take();
    const done: unknown[] = [];
    s.publish_('a', new Uint8Array([1, 2]), 1, false, (e) => done.push(e));
    const [p] = take() as PublishPacket[];
    expect(p).toMatchObject({ type: 3, qos: 1, dup: false, payload: new Uint8Array([1, 2]) });
    expect(done).toEqual([]);
    s.data_({ type: 4, id: p!.id! });
    expect(done).toEqual([undefined]);
    expect(ob.queue_).toEqual([]);
  });

  it('QoS 2 goes PUBLISH, PUBREC, PUBREL, PUBCOMP and completes on PUBCOMP only', () => {
    const { s, up, take, ob } = harness();
    up();
    take();
    const done: unknown[] = [];
    s.publish_('a', 'x', 2, false, (e) => done.push(e));
    const id = (take()[0] as PublishPacket).id!;
    s.data_({ type: 4, id }); // a PUBACK does not finish QoS 2
    s.data_({ type: 7, id }); // nor a PUBCOMP before PUBREC
    expect(done).toEqual([]);
    s.data_({ type: 5, id });
    expect(take()).toEqual([{ type: 6, id }]);
    s.data_({ type: 5, id }); // a repeated PUBREC gets the PUBREL again
    expect(take()).toEqual([{ type: 6, id }]);
    expect(done).toEqual([]);
    s.data_({ type: 7, id });
    expect(done).toEqual([undefined]);
    expect(ob.queue_).toEqual([]);
  });

  it('ignores acknowledgements for unknown ids or of the wrong kind', () => {
    const { s, up, take, ob, ends } = harness();
    up();
    take();
    s.publish_('a', 'x', 1, false);
    const id = (take()[0] as PublishPacket).id!;
    s.data_({ type: 4, id: id + 1 });
    s.data_({ type: 5, id }); // PUBREC for a QoS 1 message
    s.data_({ type: 7, id });
    expect(take()).toEqual([]);
    expect(ob.queue_.length).toBe(1);
    expect(ends).toEqual([]);
  });

  it('keeps at most limits.inflight unacknowledged, sending the rest in order as acks come', () => {
    const { s, up, take } = harness({}, { inflight: 2 });
    up();
    take();
    for (let k = 0; k < 5; k++) s.publish_('t', 'm' + k, k == 1 ? 2 : 1, false);
    s.publish_('t', 'q0', 0, false); // QoS 0 waits its turn too: order is kept
    let sent = take() as PublishPacket[];
    expect(sent.map(txt)).toEqual(['m0', 'm1']);
    s.data_({ type: 4, id: sent[0]!.id! });
    expect((take() as PublishPacket[]).map(txt)).toEqual(['m2']);
    // The QoS 2 message still holds its slot while its PUBREL is out.
    s.data_({ type: 5, id: sent[1]!.id! });
    expect(take().map((p) => p.type)).toEqual([6]);
    s.data_({ type: 7, id: sent[1]!.id! });
    sent = take() as PublishPacket[];
    expect(sent.map(txt)).toEqual(['m3']);
    s.data_({ type: 4, id: sent[0]!.id! });
    expect((take() as PublishPacket[]).map(txt)).toEqual(['m4', 'q0']);
  });

  it('never gives a packet id still in use, also after wrapping past 65535', () => {
    const { s, up, take } = harness({}, { inflight: 3 });
    up();
    take();
    // ids 1 and 2 stay in flight, and a SUBSCRIBE holds 3; everything else is acknowledged.
    s.publish_('t', 'a', 1, false);
    s.publish_('t', 'b', 2, false);
    s.request_({ type: 8, subs: [{ topic: 'x', qos: 0 }] }, () => {});
    expect(take().map((p) => (p as { id: number }).id)).toEqual([1, 2, 3]);
    const seen = new Set<number>();
    for (let k = 0; k < 65536; k++) {
      s.publish_('t', 'c', 1, false);
      const [p] = take() as PublishPacket[];
      seen.add(p!.id!);
      expect(p!.id! < 1 || p!.id! > 3).toBe(true);
      s.data_({ type: 4, id: p!.id! });
    }
    expect(seen.size).toBe(65532); // every id but 1, 2, 3 was used, none of them twice at once
    expect([...seen].every((i) => i >= 4 && i <= 65535)).toBe(true);
  });
});

describe('a PUBLISH is encoded once', () => {
  it('the bytes written, written again with DUP and held are the same buffer', () => {
    const written: Uint8Array[] = [];
    const { s, up, ob } = harness({ clean: false });
    up();
    const host = (s as unknown as { host_: { write_(b: Uint8Array): void } }).host_;
    const write = host.write_;
    host.write_ = (b) => (written.push(b), write(b));
    s.publish_('t', 'x', 1, false);
    const held = ob.queue_[0]!.bytes_;
    expect(written).toEqual([held]);
    expect(written[0]).toBe(held);
    expect(held[0]! & 8).toBe(0); // the first send has DUP clear [MQTT-3.3.1-1]
    s.closed_();
    up();
    expect(written[2]).toBe(held); // after the CONNECT: the same bytes, now with DUP
    expect(held[0]! & 8).toBe(8);
  });
});

describe('incoming PUBLISH', () => {
  const pub = (id: number, qos: 0 | 1 | 2, body: string, dup = false): PublishPacket =>
    ({ type: 3, topic: 'in/x', payload: utf8Encode(body), qos, retain: false, dup, id: qos ? id : undefined });

  it('delivers QoS 0, 1 and 2 in arrival order; QoS 1 acknowledged with PUBACK after delivery', () => {
    const { s, up, take, msgs } = harness();
    up();
    take();
    s.data_(pub(0, 0, 'one'));
    s.data_(pub(5, 1, 'two'));
    s.data_(pub(6, 2, 'three'));
    expect(msgs.map(txt)).toEqual(['one', 'two', 'three']);
    expect(take()).toEqual([{ type: 4, id: 5 }, { type: 5, id: 6 }]);
  });

  it('QoS 2: a duplicate before PUBREL is not delivered again but gets PUBREC; PUBREL frees the id', () => {
    const { s, up, take, msgs, ob } = harness();
    up();
    take();
    s.data_(pub(7, 2, 'once'));
    s.data_(pub(7, 2, 'once', true));
    expect(msgs.map(txt)).toEqual(['once']);
    expect(take()).toEqual([{ type: 5, id: 7 }, { type: 5, id: 7 }]);
    s.data_({ type: 6, id: 7 });
    expect(take()).toEqual([{ type: 7, id: 7 }]);
    expect(ob.incoming_).toEqual([]);
    s.data_(pub(7, 2, 'new message with a reused id'));
    expect(msgs.length).toBe(2);
  });

  it('QoS 2: the remembered id survives a reconnect with clean=false', () => {
    const { s, up, take, msgs } = harness({ clean: false });
    up();
    s.data_(pub(3, 2, 'x'));
    s.closed_();
    up(true);
    take();
    s.data_(pub(3, 2, 'x', true));
    expect(msgs.length).toBe(1);
    expect(take()).toEqual([{ type: 5, id: 3 }]);
  });

  it('QoS 2: at most limits.incomingQos2 await PUBREL; one more closes the connection, undelivered and unacknowledged', () => {
    const { s, up, take, msgs, ob, ends } = harness({}, { incomingQos2: 2 });
    up();
    take();
    s.data_(pub(1, 2, 'a'));
    s.data_(pub(2, 2, 'b'));
    s.data_(pub(1, 2, 'a', true)); // a redelivery of a held id is not a new one
    expect(take()).toEqual([{ type: 5, id: 1 }, { type: 5, id: 2 }, { type: 5, id: 1 }]);
    expect(ends).toEqual([]);
    s.data_(pub(3, 2, 'c'));
    expect(ends).toEqual([['too many QoS 2 messages await PUBREL (limits.incomingQos2 = 2)', true]]);
    expect(msgs.map(txt)).toEqual(['a', 'b']);
    expect(take()).toEqual([]);
    expect(ob.incoming_).toEqual([1, 2]);
    // After the reconnect the server sends its PUBRELs again: the ids are freed, a new one fits.
    up(true);
    take();
    s.data_({ type: 6, id: 1 });
    s.data_(pub(3, 2, 'c'));
    expect(msgs.map(txt)).toEqual(['a', 'b', 'c']);
    expect(take()).toEqual([{ type: 7, id: 1 }, { type: 5, id: 3 }]);
    expect(ob.incoming_).toEqual([2, 3]);
    expect(ends.length).toBe(1);
  });

  it('answers PUBREL for an unknown id with PUBCOMP', () => {
    const { s, up, take } = harness();
    up();
    take();
    s.data_({ type: 6, id: 44 });
    expect(take()).toEqual([{ type: 7, id: 44 }]);
  });
});
