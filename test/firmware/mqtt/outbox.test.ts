import { describe, expect, it } from 'vitest';
import { encode } from '../../../firmware/mqtt/codec/encode.js';
import type { PublishPacket } from '../../../firmware/mqtt/codec/packet.js';
import { utf8Encode } from '../../../firmware/mqtt/codec/utf8.js';
import { withLimits } from '../../../firmware/mqtt/limits.js';
import { createOutbox, type Msg } from '../../../firmware/mqtt/outbox.js';
import { memoryStorage } from '../../../hal/emulated/storage.js';
import type { Storage } from '../../../hal/types.js';

const pub = (body: string, qos: 0 | 1 | 2, id?: number, dup = false): PublishPacket =>
  ({ type: 3, topic: 'dev/1', payload: utf8Encode(body), qos, retain: false, dup, id });

/** Counts writes and erases. */
function counting(s: Storage = memoryStorage()) {
  const n = { w: 0, e: 0 };
  return {
    n,
    s: {
      read: (k: string) => s.read(k),
      write: (k: string, v: string) => (n.w++, s.write(k, v)),
      erase: (k: string) => (n.e++, s.erase(k)),
    } as Storage,
  };
}

describe('outbox bound', () => {
  it('counts encoded bytes and refuses what does not fit, keeping everything queued', () => {
    const size = encode(pub('x'.repeat(10), 1, 1)).length; // 2 + 7 + 2 + 10 = 21
    const ob = createOutbox(withLimits({ queueBytes: size * 3 }), memoryStorage());
    for (let i = 1; i <= 3; i++) expect(ob.add(pub('x'.repeat(10), 1, i))).toBeUndefined();
    expect(ob.add(pub('y', 0))).toBe(`offline queue full: ${size * 3} bytes used of ${size * 3}`);
    expect(ob.q.length).toBe(3);
    ob.q.shift();
    expect(ob.add(pub('x'.repeat(10), 1, 4))).toBeUndefined();
  });

  it('refuses a single message bigger than the whole queue', () => {
    const ob = createOutbox(withLimits({ queueBytes: 50 }), memoryStorage());
    expect(ob.add(pub('z'.repeat(100), 0))).toBe('offline queue full: 0 bytes used of 50');
    expect(ob.q).toEqual([]);
  });

  it('throws on a message that cannot be encoded', () => {
    const ob = createOutbox(withLimits(), memoryStorage());
    expect(() => ob.add({ ...pub('a', 1, 1), topic: 'a/+' })).toThrow(/wildcard/);
    expect(() => ob.add(pub('a', 1, 0))).toThrow(/packet id/);
    expect(ob.q).toEqual([]);
  });
});

describe('outbox persistence', () => {
  it('without a key it never touches storage', () => {
    const { n, s } = counting();
    const ob = createOutbox(withLimits(), s);
    ob.add(pub('a', 1, 1));
    ob.save();
    expect(n).toEqual({ w: 0, e: 0 });
  });

  it('round-trips queued, in-flight (DUP), PUBREL-stage messages and incoming QoS 2 ids, in order', () => {
    const st = memoryStorage();
    const a = createOutbox(withLimits(), st, 'k');
    a.add(pub('in flight', 1, 10, true));
    a.q.push({ type: 6, id: 11 });
    a.add(pub('queued', 2, 12));
    a.add(pub('qos0 queued', 0));
    a.r.push(300, 7);
    a.save();
    const b = createOutbox(withLimits(), st, 'k');
    const strip = (m: Msg) => {
      const { c: _c, n: _n, ...rest } = m as Msg & PublishPacket;
      return encode(rest as PublishPacket);
    };
    expect(b.q.map(strip)).toEqual(a.q.map(strip));
    expect(b.q.map((m) => m.type)).toEqual([3, 6, 3, 3]);
    expect((b.q[0] as PublishPacket).dup).toBe(true);
    expect(b.r).toEqual([300, 7]);
  });

  it('writes only when the state changed, and erases the key when empty', () => {
    const { n, s } = counting();
    const ob = createOutbox(withLimits(), s, 'k');
    ob.save();
    expect(n).toEqual({ w: 0, e: 0 }); // nothing stored, nothing to store
    ob.add(pub('a', 1, 1));
    ob.save();
    ob.save();
    expect(n).toEqual({ w: 1, e: 0 });
    ob.q.length = 0;
    ob.save();
    expect(n).toEqual({ w: 1, e: 1 });
    expect(s.read('k')).toBeUndefined();
  });

  it('stores a byte string (chars 0-255) for binary payloads', () => {
    const st = memoryStorage(); // refuses anything wider than a byte per char
    const ob = createOutbox(withLimits(), st, 'k');
    ob.add({ ...pub('', 1, 2), payload: new Uint8Array([0, 128, 255]) });
    ob.save();
    const b = createOutbox(withLimits(), st, 'k');
    expect((b.q[0] as PublishPacket).payload).toEqual(new Uint8Array([0, 128, 255]));
  });

  it('keeps what precedes a damaged record', () => {
    const st = memoryStorage();
    const good = encode(pub('ok', 1, 5));
    st.write('k', String.fromCharCode(...good) + '\xf0\x00garbage');
    const b = createOutbox(withLimits(), st, 'k');
    expect(b.q.length).toBe(1);
    expect(new TextDecoder().decode((b.q[0] as PublishPacket).payload)).toBe('ok');
  });
});
