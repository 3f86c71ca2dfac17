// The offline queue and in-flight state kept in Storage across a reboot (clientHarness.ts).
import { describe, expect, it } from 'vitest';
import type { PublishPacket } from '../../../firmware/mqtt/codec/packet.js';
import { utf8Encode } from '../../../firmware/mqtt/codec/utf8.js';
import { memoryStorage } from '../../../hal/emulated/storage.js';
import { setup, txt } from '../../support/clientHarness.js';

describe('persistence across a reboot', () => {
  it('a new client with the same storage and key sends queued and in-flight messages after connecting', () => {
    const storage = memoryStorage();
    const opts = { store: 'mq', limits: { inflight: 1 } };
    const a = setup(opts, { storage });
    a.c.connect();
    const conn = a.online();
    a.c.publish('t', 'one', { qos: 1 });
    a.c.publish('t', 'two', { qos: 2 });
    a.c.publish('t', 'three', { qos: 0 });
    const [one] = conn.take() as PublishPacket[];
    // An incoming QoS 2 message, delivered, not yet released.
    conn.send({ type: 3, topic: 'in', payload: utf8Encode('x'), qos: 2, retain: false, dup: false, id: 77 });
    expect(a.msgs.length).toBe(1);
    expect(storage.read('mq')).toBeTruthy();
    // Power cut: the old client object is gone. A new one on the same storage:
    const b = setup(opts, { storage });
    b.c.connect();
    const c2 = b.online(true);
    const again = c2.take() as PublishPacket[];
    expect(again).toEqual([{ ...one, dup: true }]);
    c2.send({ type: 4, id: one!.id! });
    const next = c2.take() as PublishPacket[];
    expect(next.map(txt)).toEqual(['two', 'three']); // QoS 0 takes no window slot
    expect(next[0]!.dup).toBe(false);
    c2.send({ type: 5, id: next[0]!.id! });
    expect(c2.take()).toEqual([{ type: 6, id: next[0]!.id }]);
    c2.send({ type: 7, id: next[0]!.id! });
    // The server re-sends the unreleased QoS 2 message: not delivered again.
    c2.send({ type: 3, topic: 'in', payload: utf8Encode('x'), qos: 2, retain: false, dup: true, id: 77 });
    expect(b.msgs).toEqual([]);
    expect(c2.take()).toEqual([{ type: 5, id: 77 }]);
    c2.send({ type: 6, id: 77 });
    c2.take();
    expect(storage.read('mq')).toBeUndefined(); // nothing left: the key is erased
  });

  it('writes storage only when the queue changes: not for a PINGRESP, a SUBACK or a QoS 0 message', () => {
    const storage = memoryStorage();
    const writes: string[] = [];
    const counted = { ...storage, write: (k: string, v: string) => (writes.push(v), storage.write(k, v)), erase: (k: string) => (writes.push(''), storage.erase(k)) };
    const a = setup({ store: 'mq', keepalive: 10 }, { storage: counted });
    a.c.connect();
    const conn = a.online();
    a.c.publish('t', 'held', { qos: 1 });
    const [p] = conn.take() as PublishPacket[];
    expect(writes.length).toBe(1);
    a.c.subscribe([{ topic: 's', qos: 0 }]);
    const [sub] = conn.take() as { id: number }[];
    conn.send({ type: 9, id: sub!.id, codes: [0] });
    a.c.publish('t', 'qos 0 goes at once', { qos: 0 });
    conn.send({ type: 3, topic: 'in', payload: utf8Encode('x'), qos: 1, retain: false, dup: false, id: 5 });
    a.clock.advance(10_000);
    expect(conn.types()).toEqual([3, 4, 12]);
    conn.send({ type: 13 });
    expect(writes.length).toBe(1);
    conn.send({ type: 4, id: p!.id! });
    expect(writes).toEqual([writes[0], '']);
  });
});
