// What the session sends again after a reconnect, with clean=false and clean=true (sessionHarness.ts).
import { describe, expect, it } from 'vitest';
import type { PublishPacket } from '../../../firmware/mqtt/codec/packet.js';
import { harness, packetOf, txt } from '../../support/sessionHarness.js';

describe('reconnect', () => {
  it('clean=false: re-sends unacknowledged PUBLISHes (same id, DUP=1) and PUBRELs in original order, then the queue', () => {
    const { s, up, take, ob } = harness({ clean: false }, { inflight: 3 });
    up();
    take();
    s.publish_('t', 'a', 1, false);
    s.publish_('t', 'b', 2, false);
    s.publish_('t', 'c', 1, false);
    s.publish_('t', 'd', 1, false); // waits: the window is full
    const first = take() as PublishPacket[];
    s.data_({ type: 5, id: first[1]!.id! }); // 'b' is now at the PUBREL stage
    take();
    s.closed_();
    s.publish_('t', 'e', 0, false); // offline: queued behind the rest
    expect(take()).toEqual([]);
    // sessionPresent=false still re-sends [MQTT-4.4.0-1]: the client cannot know what got through.
    up(false);
    const again = take().slice(1); // after the CONNECT
    expect(again.map((p) => p.type)).toEqual([3, 6, 3]);
    expect(again[0]).toMatchObject({ id: first[0]!.id, dup: true, qos: 1 });
    expect(again[1]).toEqual({ type: 6, id: first[1]!.id });
    expect(again[2]).toMatchObject({ id: first[2]!.id, dup: true });
    expect(txt(again[2]!)).toBe('c');
    s.data_({ type: 4, id: first[0]!.id! });
    const rest = take() as PublishPacket[];
    // QoS 0 needs no window slot: it goes as soon as everything before it has gone.
    expect(rest.map(txt)).toEqual(['d', 'e']);
    expect(rest[0]!.dup).toBe(false);
    s.data_({ type: 7, id: first[1]!.id! });
    expect(ob.queue_.map((m) => txt(packetOf(m)))).toEqual(['c', 'd']); // awaiting PUBACK
  });

  it('clean=true: unacknowledged PUBLISHes go again as new ones, PUBREL-stage ones are done', () => {
    const { s, up, take, ob } = harness({ clean: true });
    up();
    take();
    const done: string[] = [];
    s.publish_('t', 'a', 1, false, () => done.push('a'));
    s.publish_('t', 'b', 2, false, () => done.push('b'));
    const first = take() as PublishPacket[];
    s.data_({ type: 5, id: first[1]!.id! });
    take();
    s.data_({ type: 3, topic: 'in', payload: new Uint8Array(1), qos: 2, retain: false, dup: false, id: 9 });
    expect(ob.incoming_).toEqual([9]);
    take();
    s.closed_();
    up();
    const again = take().slice(1) as PublishPacket[];
    expect(again.length).toBe(1);
    expect(again[0]).toMatchObject({ type: 3, dup: false, qos: 1 });
    expect(txt(again[0]!)).toBe('a');
    expect(done).toEqual(['b']); // PUBREC meant the server had it
    expect(ob.incoming_).toEqual([]); // incoming QoS 2 state belongs to the old session
  });

  it('(re)sends SUBSCRIBE and UNSUBSCRIBE made offline or unanswered, after the next CONNACK', () => {
    const { s, up, take } = harness();
    const acks: unknown[] = [];
    s.request_({ type: 8, subs: [{ topic: 'a/#', qos: 1 }] }, (_e, codes) => acks.push(codes));
    s.start_();
    s.open_();
    expect(take().map((p) => p.type)).toEqual([1]); // not before CONNACK
    s.data_({ type: 2, sessionPresent: false, rc: 0 });
    const [sub] = take();
    expect(sub).toMatchObject({ type: 8, subs: [{ topic: 'a/#', qos: 1 }] });
    s.request_({ type: 10, topics: ['a/#'] }, () => acks.push('unsub'));
    const [unsub] = take();
    s.closed_();
    up();
    expect(take()).toEqual([expect.objectContaining({ type: 1 }), sub, unsub]);
    s.data_({ type: 9, id: (sub as { id: number }).id, codes: [1] });
    s.data_({ type: 11, id: (unsub as { id: number }).id });
    expect(acks).toEqual([[1], 'unsub']);
  });
});
