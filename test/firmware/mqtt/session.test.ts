// The session on its own: a fake host records what it writes (decoded with the codec) and what it
// reports; time is a number the test sets.
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../../firmware/mqtt/codec/decode.js';
import { utf8Encode } from '../../../firmware/mqtt/codec/utf8.js';
import type { Packet, PublishPacket } from '../../../firmware/mqtt/codec/packet.js';
import { type Limits, withLimits } from '../../../firmware/mqtt/limits.js';
import { createOutbox } from '../../../firmware/mqtt/outbox.js';
import { connackReason, createSession, type SessionOptions } from '../../../firmware/mqtt/session.js';
import { memoryStorage } from '../../../hal/emulated/storage.js';
import type { Storage } from '../../../hal/types.js';

function harness(opts: Partial<SessionOptions> = {}, lim: Partial<Limits> = {}, storage?: Storage, key?: string) {
  const l = withLimits(lim);
  const t = { now: 0 };
  const out: Packet[] = [];
  const msgs: PublishPacket[] = [];
  const ends: [string, boolean][] = [];
  const connects: boolean[] = [];
  const dec = createDecoder(1 << 20, (p) => out.push(p), (e) => {
    throw new Error('session wrote bad bytes: ' + e);
  });
  const ob = createOutbox(l, storage ?? memoryStorage(), key);
  const o: SessionOptions = { clientId: 'dev1', clean: false, ...opts };
  const s = createSession(
    o, l, ob, { now: () => t.now },
    (b) => dec.push(b.slice()),
    (e, retry) => {
      ends.push([e, retry]);
      s.closed();
    },
    (sp) => connects.push(sp),
    (p) => msgs.push(p),
    (f, a) => f && f(a),
  );
  /** Packets written since the last call. */
  const take = () => out.splice(0, out.length);
  const up = (sp = false) => {
    s.start();
    s.open();
    s.data({ type: 2, sessionPresent: sp, rc: 0 });
  };
  return { s, o, l, t, ob, take, up, msgs, ends, connects };
}

const txt = (p: Packet) => new TextDecoder().decode((p as PublishPacket).payload);

describe('CONNECT', () => {
  it('carries clientId, username, password bytes, keepalive, will and the clean flag', () => {
    const { s, take } = harness({
      clientId: 'dev-7', username: 'u', password: 'sëcret', clean: true, keepalive: 30,
      will: { topic: 'dev/7/status', payload: 'gone', qos: 1, retain: true },
    });
    s.start();
    expect(take()).toEqual([]); // nothing before the socket is open
    s.open();
    expect(take()).toEqual([{
      type: 1, clientId: 'dev-7', clean: true, keepalive: 30, username: 'u', password: utf8Encode('sëcret'),
      will: { topic: 'dev/7/status', payload: utf8Encode('gone'), qos: 1, retain: true },
    }]);
  });

  it('uses limits.keepalive by default, sends binary passwords as given, and omits what is absent', () => {
    const pw = new Uint8Array([0, 255, 1]);
    const { s, take } = harness({ username: 'u', password: pw }, { keepalive: 45 });
    s.start();
    s.open();
    expect(take()).toEqual([{ type: 1, clientId: 'dev1', clean: false, keepalive: 45, username: 'u', password: pw }]);
  });
});

describe('CONNACK', () => {
  it('accepted: reports sessionPresent and becomes connected', () => {
    const { s, up, connects } = harness();
    up(true);
    expect(connects).toEqual([true]);
    expect(s.st).toBe(2);
  });

  const reasons: [number, string, boolean][] = [
    [1, 'unacceptable protocol version', false],
    [2, 'identifier rejected', false],
    [3, 'server unavailable', true],
    [4, 'bad user name or password', false],
    [5, 'not authorized', false],
  ];
  for (const [rc, reason, retry] of reasons) {
    it(`refused rc ${rc}: "${reason}", ${retry ? 'retry' : 'no retry'}, never connected`, () => {
      const { s, connects, ends } = harness();
      s.start();
      s.open();
      s.data({ type: 2, sessionPresent: false, rc });
      expect(ends).toEqual([[`connection refused: ${reason} (rc ${rc})`, retry]]);
      expect(connects).toEqual([]);
      expect(s.st).toBe(0);
      expect(connackReason(rc)).toBe(reason);
    });
  }

  it('names rc 0 and reserved codes', () => {
    expect(connackReason(0)).toBe('accepted');
    expect(connackReason(6)).toBe('reserved return code');
  });

  it('times out ackTimeout ms after dialling', () => {
    const { s, t, ends } = harness({}, { ackTimeout: 5000 });
    t.now = 100;
    s.start();
    s.open();
    expect(s.nextDeadline()).toBe(5100);
    t.now = 5099;
    s.tick();
    expect(ends).toEqual([]);
    t.now = 5100;
    s.tick();
    expect(ends).toEqual([['no CONNACK within 5000 ms', true]]);
  });
});

describe('keepalive', () => {
  it('sends PINGREQ after keepalive seconds without sending, and stays quiet while busy', () => {
    const { s, t, take, up } = harness({ keepalive: 10 });
    up();
    take();
    expect(s.nextDeadline()).toBe(10000);
    // Busy: a publish every 6 s keeps pushing the deadline away.
    for (let k = 1; k <= 5; k++) {
      t.now = k * 6000;
      s.tick();
      s.publish('t', 'x', 0, false);
      expect(s.nextDeadline()).toBe(t.now + 10000);
    }
    expect(take().map((p) => p.type)).toEqual([3, 3, 3, 3, 3]);
    // Idle: exactly at the deadline, one PINGREQ.
    t.now = 40000;
    s.tick();
    expect(take()).toEqual([{ type: 12 }]);
    s.data({ type: 13 });
    expect(s.nextDeadline()).toBe(50000);
  });

  it('declares the connection dead when PINGRESP does not come within ackTimeout', () => {
    const { s, t, take, up, ends } = harness({ keepalive: 60 }, { ackTimeout: 4000 });
    up();
    take();
    t.now = 60000;
    s.tick();
    expect(take()).toEqual([{ type: 12 }]);
    expect(s.nextDeadline()).toBe(64000);
    t.now = 64000;
    s.tick();
    expect(ends).toEqual([['no PINGRESP within 4000 ms', true]]);
  });

  it('keepalive 0 turns pings off', () => {
    const { s, up } = harness({ keepalive: 0 });
    up();
    expect(s.nextDeadline()).toBe(Infinity);
  });
});

describe('outgoing PUBLISH', () => {
  it('QoS 0 is written at once and its callback fires', () => {
    const { s, up, take } = harness();
    up();
    take();
    const done: unknown[] = [];
    s.publish('a/b', 'hi', 0, true, (e) => done.push(e));
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
    s.publish('a', new Uint8Array([1, 2]), 1, false, (e) => done.push(e));
    const [p] = take() as PublishPacket[];
    expect(p).toMatchObject({ type: 3, qos: 1, dup: false, payload: new Uint8Array([1, 2]) });
    expect(done).toEqual([]);
    s.data({ type: 4, id: p!.id! });
    expect(done).toEqual([undefined]);
    expect(ob.q).toEqual([]);
  });

  it('QoS 2 goes PUBLISH, PUBREC, PUBREL, PUBCOMP and completes on PUBCOMP only', () => {
    const { s, up, take, ob } = harness();
    up();
    take();
    const done: unknown[] = [];
    s.publish('a', 'x', 2, false, (e) => done.push(e));
    const id = (take()[0] as PublishPacket).id!;
    s.data({ type: 4, id }); // a PUBACK does not finish QoS 2
    s.data({ type: 7, id }); // nor a PUBCOMP before PUBREC
    expect(done).toEqual([]);
    s.data({ type: 5, id });
    expect(take()).toEqual([{ type: 6, id }]);
    s.data({ type: 5, id }); // a repeated PUBREC gets the PUBREL again
    expect(take()).toEqual([{ type: 6, id }]);
    expect(done).toEqual([]);
    s.data({ type: 7, id });
    expect(done).toEqual([undefined]);
    expect(ob.q).toEqual([]);
  });

  it('ignores acknowledgements for unknown ids or of the wrong kind', () => {
    const { s, up, take, ob, ends } = harness();
    up();
    take();
    s.publish('a', 'x', 1, false);
    const id = (take()[0] as PublishPacket).id!;
    s.data({ type: 4, id: id + 1 });
    s.data({ type: 5, id }); // PUBREC for a QoS 1 message
    s.data({ type: 7, id });
    expect(take()).toEqual([]);
    expect(ob.q.length).toBe(1);
    expect(ends).toEqual([]);
  });

  it('keeps at most limits.inflight unacknowledged, sending the rest in order as acks come', () => {
    const { s, up, take } = harness({}, { inflight: 2 });
    up();
    take();
    for (let k = 0; k < 5; k++) s.publish('t', 'm' + k, k == 1 ? 2 : 1, false);
    s.publish('t', 'q0', 0, false); // QoS 0 waits its turn too: order is kept
    let sent = take() as PublishPacket[];
    expect(sent.map(txt)).toEqual(['m0', 'm1']);
    s.data({ type: 4, id: sent[0]!.id! });
    expect((take() as PublishPacket[]).map(txt)).toEqual(['m2']);
    // The QoS 2 message still holds its slot while its PUBREL is out.
    s.data({ type: 5, id: sent[1]!.id! });
    expect(take().map((p) => p.type)).toEqual([6]);
    s.data({ type: 7, id: sent[1]!.id! });
    sent = take() as PublishPacket[];
    expect(sent.map(txt)).toEqual(['m3']);
    s.data({ type: 4, id: sent[0]!.id! });
    expect((take() as PublishPacket[]).map(txt)).toEqual(['m4', 'q0']);
  });

  it('never gives a packet id still in use, also after wrapping past 65535', () => {
    const { s, up, take } = harness({}, { inflight: 3 });
    up();
    take();
    // ids 1 and 2 stay in flight, and a SUBSCRIBE holds 3; everything else is acknowledged.
    s.publish('t', 'a', 1, false);
    s.publish('t', 'b', 2, false);
    s.req({ type: 8, subs: [{ topic: 'x', qos: 0 }] }, () => {});
    expect(take().map((p) => (p as { id: number }).id)).toEqual([1, 2, 3]);
    const seen = new Set<number>();
    for (let k = 0; k < 65536; k++) {
      s.publish('t', 'c', 1, false);
      const [p] = take() as PublishPacket[];
      seen.add(p!.id!);
      expect(p!.id! < 1 || p!.id! > 3).toBe(true);
      s.data({ type: 4, id: p!.id! });
    }
    expect(seen.size).toBe(65532); // every id but 1, 2, 3 was used, none of them twice at once
    expect([...seen].every((i) => i >= 4 && i <= 65535)).toBe(true);
  });
});

describe('reconnect', () => {
  it('clean=false: re-sends unacknowledged PUBLISHes (same id, DUP=1) and PUBRELs in original order, then the queue', () => {
    const { s, up, take, ob } = harness({ clean: false }, { inflight: 3 });
    up();
    take();
    s.publish('t', 'a', 1, false);
    s.publish('t', 'b', 2, false);
    s.publish('t', 'c', 1, false);
    s.publish('t', 'd', 1, false); // waits: the window is full
    const first = take() as PublishPacket[];
    s.data({ type: 5, id: first[1]!.id! }); // 'b' is now at the PUBREL stage
    take();
    s.closed();
    s.publish('t', 'e', 0, false); // offline: queued behind the rest
    expect(take()).toEqual([]);
    // sessionPresent=false still re-sends [MQTT-4.4.0-1]: the client cannot know what got through.
    up(false);
    const again = take().slice(1); // after the CONNECT
    expect(again.map((p) => p.type)).toEqual([3, 6, 3]);
    expect(again[0]).toMatchObject({ id: first[0]!.id, dup: true, qos: 1 });
    expect(again[1]).toEqual({ type: 6, id: first[1]!.id });
    expect(again[2]).toMatchObject({ id: first[2]!.id, dup: true });
    expect(txt(again[2]!)).toBe('c');
    s.data({ type: 4, id: first[0]!.id! });
    const rest = take() as PublishPacket[];
    // QoS 0 needs no window slot: it goes as soon as everything before it has gone.
    expect(rest.map(txt)).toEqual(['d', 'e']);
    expect(rest[0]!.dup).toBe(false);
    s.data({ type: 7, id: first[1]!.id! });
    expect(ob.q.map((m) => txt(m as PublishPacket))).toEqual(['c', 'd']); // awaiting PUBACK
  });

  it('clean=true: unacknowledged PUBLISHes go again as new ones, PUBREL-stage ones are done', () => {
    const { s, up, take, ob } = harness({ clean: true });
    up();
    take();
    const done: string[] = [];
    s.publish('t', 'a', 1, false, () => done.push('a'));
    s.publish('t', 'b', 2, false, () => done.push('b'));
    const first = take() as PublishPacket[];
    s.data({ type: 5, id: first[1]!.id! });
    take();
    s.data({ type: 3, topic: 'in', payload: new Uint8Array(1), qos: 2, retain: false, dup: false, id: 9 });
    expect(ob.r).toEqual([9]);
    take();
    s.closed();
    up();
    const again = take().slice(1) as PublishPacket[];
    expect(again.length).toBe(1);
    expect(again[0]).toMatchObject({ type: 3, dup: false, qos: 1 });
    expect(txt(again[0]!)).toBe('a');
    expect(done).toEqual(['b']); // PUBREC meant the server had it
    expect(ob.r).toEqual([]); // incoming QoS 2 state belongs to the old session
  });

  it('(re)sends SUBSCRIBE and UNSUBSCRIBE made offline or unanswered, after the next CONNACK', () => {
    const { s, up, take } = harness();
    const acks: unknown[] = [];
    s.req({ type: 8, subs: [{ topic: 'a/#', qos: 1 }] }, (codes) => acks.push(codes));
    s.start();
    s.open();
    expect(take().map((p) => p.type)).toEqual([1]); // not before CONNACK
    s.data({ type: 2, sessionPresent: false, rc: 0 });
    const [sub] = take();
    expect(sub).toMatchObject({ type: 8, subs: [{ topic: 'a/#', qos: 1 }] });
    s.req({ type: 10, topics: ['a/#'] }, () => acks.push('unsub'));
    const [unsub] = take();
    s.closed();
    up();
    expect(take()).toEqual([expect.objectContaining({ type: 1 }), sub, unsub]);
    s.data({ type: 9, id: (sub as { id: number }).id, codes: [1] });
    s.data({ type: 11, id: (unsub as { id: number }).id });
    expect(acks).toEqual([[1], 'unsub']);
  });
});

describe('incoming PUBLISH', () => {
  const pub = (id: number, qos: 0 | 1 | 2, body: string, dup = false): PublishPacket =>
    ({ type: 3, topic: 'in/x', payload: utf8Encode(body), qos, retain: false, dup, id: qos ? id : undefined });

  it('delivers QoS 0, 1 and 2 in arrival order; QoS 1 acknowledged with PUBACK after delivery', () => {
    const { s, up, take, msgs } = harness();
    up();
    take();
    s.data(pub(0, 0, 'one'));
    s.data(pub(5, 1, 'two'));
    s.data(pub(6, 2, 'three'));
    expect(msgs.map(txt)).toEqual(['one', 'two', 'three']);
    expect(take()).toEqual([{ type: 4, id: 5 }, { type: 5, id: 6 }]);
  });

  it('QoS 2: a duplicate before PUBREL is not delivered again but gets PUBREC; PUBREL frees the id', () => {
    const { s, up, take, msgs, ob } = harness();
    up();
    take();
    s.data(pub(7, 2, 'once'));
    s.data(pub(7, 2, 'once', true));
    expect(msgs.map(txt)).toEqual(['once']);
    expect(take()).toEqual([{ type: 5, id: 7 }, { type: 5, id: 7 }]);
    s.data({ type: 6, id: 7 });
    expect(take()).toEqual([{ type: 7, id: 7 }]);
    expect(ob.r).toEqual([]);
    s.data(pub(7, 2, 'new message with a reused id'));
    expect(msgs.length).toBe(2);
  });

  it('QoS 2: the remembered id survives a reconnect with clean=false', () => {
    const { s, up, take, msgs } = harness({ clean: false });
    up();
    s.data(pub(3, 2, 'x'));
    s.closed();
    up(true);
    take();
    s.data(pub(3, 2, 'x', true));
    expect(msgs.length).toBe(1);
    expect(take()).toEqual([{ type: 5, id: 3 }]);
  });

  it('answers PUBREL for an unknown id with PUBCOMP', () => {
    const { s, up, take } = harness();
    up();
    take();
    s.data({ type: 6, id: 44 });
    expect(take()).toEqual([{ type: 7, id: 44 }]);
  });
});

describe('SUBSCRIBE / UNSUBSCRIBE', () => {
  it('reports SUBACK codes per filter, 0x80 included, matched by id', () => {
    const { s, up, take } = harness();
    up();
    take();
    const got: number[][] = [];
    s.req({ type: 8, subs: [{ topic: 'a', qos: 2 }, { topic: 'b', qos: 1 }] }, (codes) => got.push(codes!));
    s.req({ type: 8, subs: [{ topic: 'c', qos: 0 }] }, (codes) => got.push(codes!));
    const [a, b] = take() as { id: number }[];
    s.data({ type: 9, id: b!.id, codes: [0x80] });
    s.data({ type: 9, id: a!.id, codes: [1, 0x80] });
    s.data({ type: 9, id: a!.id, codes: [1, 0x80] }); // answered already: ignored
    expect(got).toEqual([[0x80], [1, 0x80]]);
  });

  it('times out a missing SUBACK like any reply', () => {
    const { s, t, up, ends } = harness({ keepalive: 0 }, { ackTimeout: 3000 });
    up();
    t.now = 10;
    s.req({ type: 10, topics: ['a'] }, () => {});
    expect(s.nextDeadline()).toBe(3010);
    t.now = 3010;
    s.tick();
    expect(ends).toEqual([['no UNSUBACK within 3000 ms', true]]);
  });

  it('throws on an empty filter list, a bad filter QoS, an empty or wildcard topic, a bad qos', () => {
    const { s } = harness();
    expect(() => s.req({ type: 8, subs: [] }, () => {})).toThrow();
    expect(() => s.req({ type: 8, subs: [{ topic: 'a', qos: 3 }] }, () => {})).toThrow(/qos/);
    expect(() => s.req({ type: 10, topics: [] }, () => {})).toThrow();
    expect(() => s.publish('', 'x', 0, false)).toThrow(/empty topic/);
    expect(() => s.publish('a/+/b', 'x', 0, false)).toThrow(/wildcard/);
    expect(() => s.publish('a/#', 'x', 0, false)).toThrow(/wildcard/);
    expect(() => s.publish('a', 'x', 3 as 0, false)).toThrow(/qos/);
  });
});

describe('protocol violations by the server', () => {
  const cases: [string, Packet, RegExp][] = [
    ['CONNECT', { type: 1, clientId: 'x', clean: true, keepalive: 0 }, /^bad packet from server: \[MQTT-4\.8\.0-1\] unexpected packet type 1$/],
    ['a second CONNACK', { type: 2, sessionPresent: false, rc: 0 }, /^bad packet from server: \[MQTT-4\.8\.0-1\] unexpected packet type 2$/],
    ['SUBSCRIBE', { type: 8, id: 1, subs: [{ topic: 'a', qos: 0 }] }, /^bad packet from server: \[MQTT-4\.8\.0-1\]/],
    ['UNSUBSCRIBE', { type: 10, id: 1, topics: ['a'] }, /^bad packet from server: \[MQTT-4\.8\.0-1\]/],
    ['PINGREQ', { type: 12 }, /^bad packet from server: \[MQTT-4\.8\.0-1\]/],
    ['DISCONNECT', { type: 14 }, /^bad packet from server: \[MQTT-4\.8\.0-1\]/],
  ];
  for (const [name, p, re] of cases) {
    it(`${name} from the server ends the connection`, () => {
      const { s, up, ends } = harness();
      up();
      s.data(p);
      expect(ends.length).toBe(1);
      expect(ends[0]![0]).toMatch(re);
      expect(ends[0]![1]).toBe(true);
      expect(s.st).toBe(0);
    });
  }

  it('anything but CONNACK first breaks [MQTT-3.2.0-1]', () => {
    const { s, ends, msgs } = harness();
    s.start();
    s.open();
    s.data({ type: 3, topic: 'a', payload: new Uint8Array(0), qos: 0, retain: false, dup: false });
    expect(ends).toEqual([['bad packet from server: [MQTT-3.2.0-1] unexpected packet type 3', true]]);
    expect(msgs).toEqual([]);
  });

  it('a wire error from the decoder ends the connection, saying it came from the server', () => {
    const { s, up, ends } = harness();
    up();
    s.bad('[MQTT-3.3.2-2]');
    expect(ends).toEqual([['bad packet from server: [MQTT-3.3.2-2]', true]]);
  });
});
