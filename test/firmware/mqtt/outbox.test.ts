import { describe, expect, it } from 'vitest';
import { encode } from '../../../firmware/mqtt/codec/encode.js';
import type { PublishPacket } from '../../../firmware/mqtt/codec/packet.js';
import { utf8Encode } from '../../../firmware/mqtt/codec/utf8.js';
import { withLimits } from '../../../firmware/mqtt/limits.js';
import { ack, type Entry, type Outbox, restore, save } from '../../../firmware/mqtt/outbox.js';
import type { Limits } from '../../../firmware/mqtt/limits.js';
import { memoryStorage } from '../../../hal/emulated/storage.js';
import type { Storage } from '../../../hal/types.js';
import { harness, packetOf } from '../../support/sessionHarness.js';
import { withEspruinoSubarray } from '../../support/subarray.js';

const pub = (body: string, qos: 0 | 1 | 2, id?: number, dup = false): PublishPacket =>
  ({ type: 3, topic: 'dev/1', payload: utf8Encode(body), qos, retain: false, dup, id });

/** The outbox lists as a session holds them, read back from storage. */
function outbox(limits: Limits, storage: Storage, key?: string): Outbox {
  const ob: Outbox = { queue_: [], incoming_: [], dirty_: false, limits_: limits, storage_: storage, key_: key };
  restore(ob);
  return ob;
}

/** What the session does to queue an entry. */
function enqueue(ob: Outbox, e: Entry): void {
  ob.queue_.push(e);
  ob.dirty_ = true;
}

/** A PUBLISH as the session queues it: encoded once, with DUP clear; `dup` says it was written. */
const entry = (p: PublishPacket): Entry => ({ bytes_: encode({ ...p, dup: false }), id_: p.id ?? 0, sent_: p.dup });

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
  // The session checks the bound as it queues a message; offline, everything stays queued.
  it('counts encoded bytes and refuses what does not fit, keeping everything queued', () => {
    const size = encode(pub('x'.repeat(10), 1, 1)).length; // 2 + 7 + 2 + 10 = 21
    const { s, ob } = harness({}, { queueBytes: size * 3 });
    for (let i = 1; i <= 3; i++) expect(s.publish_('dev/1', 'x'.repeat(10), 1, false)).toBeUndefined();
    expect(s.publish_('dev/1', 'y', 0, false)).toBe(`offline queue full: ${size * 3} bytes used of ${size * 3}`);
    expect(ob.queue_.length).toBe(3);
    ob.queue_.shift();
    expect(s.publish_('dev/1', 'x'.repeat(10), 1, false)).toBeUndefined();
  });

  it('refuses a single message bigger than the whole queue', () => {
    const { s, ob } = harness({}, { queueBytes: 50 });
    expect(s.publish_('dev/1', 'z'.repeat(100), 0, false)).toBe('offline queue full: 0 bytes used of 50');
    expect(ob.queue_).toEqual([]);
  });

  it('never holds a message that cannot be encoded: it throws before it is queued', () => {
    // The session encodes a message once, before it is queued; the encoder refuses what the
    // wire cannot carry.
    const { s, ob } = harness();
    expect(() => s.publish_('a/+', 'a', 1, false)).toThrow(/wildcard/);
    expect(() => entry(pub('a', 1, 0))).toThrow(/packet id/);
    expect(ob.queue_).toEqual([]);
  });
});

describe('outbox persistence', () => {
  it('without a key it never touches storage', () => {
    const { n, s } = counting();
    const ob = outbox(withLimits(), s);
    enqueue(ob, entry(pub('a', 1, 1)));
    save(ob);
    expect(n).toEqual({ w: 0, e: 0 });
  });

  it('round-trips queued, in-flight (DUP), PUBREL-stage messages and incoming QoS 2 ids, in order', () => {
    const st = memoryStorage();
    const a = outbox(withLimits(), st, 'k');
    enqueue(a, entry(pub('in flight', 1, 10, true)));
    a.queue_.push({ bytes_: ack(6, 11), id_: 11, sent_: true });
    enqueue(a, entry(pub('queued', 2, 12)));
    enqueue(a, entry(pub('qos0 queued', 0)));
    a.incoming_.push(300, 7);
    save(a);
    const b = outbox(withLimits(), st, 'k');
    const strip = (m: Entry) => [m.bytes_, m.id_, !!m.sent_];
    expect(b.queue_.map(strip)).toEqual(a.queue_.map(strip));
    expect(b.queue_.map((m) => packetOf(m).type)).toEqual([3, 6, 3, 3]);
    expect(b.queue_[0]!.sent_).toBe(true);
    expect(b.incoming_).toEqual([300, 7]);
  });

  it('writes only when the state changed, and erases the key when empty', () => {
    const { n, s } = counting();
    const ob = outbox(withLimits(), s, 'k');
    save(ob);
    expect(n).toEqual({ w: 0, e: 0 }); // nothing stored, nothing to store
    enqueue(ob, entry(pub('a', 1, 1)));
    save(ob);
    save(ob);
    expect(n).toEqual({ w: 1, e: 0 });
    ob.queue_.splice(0, 1);
    ob.dirty_ = true;
    save(ob);
    expect(n).toEqual({ w: 1, e: 1 });
    expect(s.read('k')).toBeUndefined();
  });

  it('stores a byte string (chars 0-255) for binary payloads', () => {
    const st = memoryStorage(); // refuses anything wider than a byte per char
    const ob = outbox(withLimits(), st, 'k');
    enqueue(ob, entry({ ...pub('', 1, 2), payload: new Uint8Array([0, 128, 255]) }));
    save(ob);
    const b = outbox(withLimits(), st, 'k');
    expect((packetOf(b.queue_[0]!) as PublishPacket).payload).toEqual(new Uint8Array([0, 128, 255]));
  });

  it('stores exactly the packets: no slice past the record (Espruino reads past it and stores NULs)', () => {
    const st = memoryStorage();
    const ob = outbox(withLimits(), st, 'k');
    enqueue(ob, entry(pub('seventy bytes or so, not a multiple of sixty-four', 1, 3)));
    withEspruinoSubarray(() => save(ob));
    expect(st.read('k')!.length).toBe(ob.queue_[0]!.bytes_.length);
  });

  it('keeps what precedes a damaged record', () => {
    const st = memoryStorage();
    const good = encode(pub('ok', 1, 5));
    st.write('k', String.fromCharCode(...good) + '\xf0\x00garbage');
    const b = outbox(withLimits(), st, 'k');
    expect(b.queue_.length).toBe(1);
    expect(new TextDecoder().decode((packetOf(b.queue_[0]!) as PublishPacket).payload)).toBe('ok');
  });
});
