// The client in virtual time over the scripted transport: timers, reconnects, the public API.
import { describe, expect, it } from 'vitest';
import { type ClientOptions, createClient } from '../../../firmware/mqtt/client.js';
import { encode } from '../../../firmware/mqtt/codec/encode.js';
import type { PublishPacket } from '../../../firmware/mqtt/codec/packet.js';
import { utf8Encode } from '../../../firmware/mqtt/codec/utf8.js';
import { memoryStorage } from '../../../hal/emulated/storage.js';
import { fakeHal } from '../../support/fakeTransport.js';

const base: ClientOptions = { host: 'broker.test', port: 8883, tls: true, clientId: 'dev1', clean: false };

function setup(opts: Partial<ClientOptions> = {}, h: Parameters<typeof fakeHal>[0] = {}) {
  const f = fakeHal(h);
  const c = createClient(f.hal, { ...base, ...opts });
  const log: string[] = [];
  const msgs: [string, string][] = [];
  c.on('connect', (sp) => log.push('connect ' + sp));
  c.on('close', (r) => log.push('close ' + r));
  c.on('error', (m) => log.push('error ' + m));
  c.on('message', (t, p) => msgs.push([t, new TextDecoder().decode(p)]));
  /** connect() (once), open the newest connection, take its CONNECT, answer CONNACK. */
  const online = (sp = false) => {
    const conn = f.transport.last;
    conn.open();
    expect(conn.types()).toEqual([1]);
    conn.connack(0, sp);
    return conn;
  };
  return { ...f, c, log, msgs, online };
}

const txt = (p: unknown) => new TextDecoder().decode((p as PublishPacket).payload);

describe('connecting', () => {
  it('dials with the transport options only, sends CONNECT on open and reports connect', () => {
    const { c, transport, log, online } = setup({ username: 'u', password: 'pw', ca: 'PEM', servername: 'sni' });
    expect(c.connected).toBe(false);
    c.connect();
    expect(transport.last.opts).toEqual({
      host: 'broker.test', port: 8883, tls: true, ca: 'PEM', cert: undefined, key: undefined, servername: 'sni',
    });
    expect(JSON.stringify(transport.last.opts)).not.toContain('pw');
    online(true);
    expect(c.connected).toBe(true);
    expect(log).toEqual(['connect true']);
  });

  it('throws [MQTT-3.1.3-7] for an empty clientId with clean=false, accepts it with clean=true', () => {
    const { c, transport } = setup({ clientId: '' });
    expect(() => c.connect()).toThrow('[MQTT-3.1.3-7]');
    expect(transport.conns.length).toBe(0);
    c.connect({ clean: true });
    expect(transport.conns.length).toBe(1);
  });

  it('throws from connect() on options CONNECT cannot carry, before dialling', () => {
    const { c, transport } = setup({ password: 'no username' });
    expect(() => c.connect()).toThrow('[MQTT-3.1.2-22]');
    expect(() => c.connect({ username: 'u', keepalive: 70000 })).toThrow(/keepalive/);
    expect(() => c.connect({ keepalive: 60, will: { topic: 'w', payload: '', qos: 3 as 0, retain: false } })).toThrow(/qos/);
    expect(transport.conns.length).toBe(0);
  });

  for (const [rc, reason] of [[1, 'unacceptable protocol version'], [2, 'identifier rejected'],
    [4, 'bad user name or password'], [5, 'not authorized']] as const) {
    it(`refused with rc ${rc}: error "${reason}", never connected, no reconnect, no timer left`, () => {
      const { c, transport, clock, log } = setup();
      c.connect();
      transport.last.open();
      transport.last.connack(rc);
      expect(log).toEqual([`error connection refused: ${reason} (rc ${rc})`, `close connection refused: ${reason} (rc ${rc})`]);
      expect(c.connected).toBe(false);
      expect(transport.last.closedByClient).toBe(true);
      expect(clock.pending()).toBe(0);
      clock.advance(3_600_000);
      expect(transport.conns.length).toBe(1);
    });
  }

  it('refused with rc 3 (server unavailable): reconnects after a backoff delay', () => {
    const { c, transport, clock, log } = setup({ limits: { backoffMin: 1000 } }, { random: () => 0.5 });
    c.connect();
    transport.last.open();
    transport.last.connack(3);
    expect(log[0]).toBe('error connection refused: server unavailable (rc 3)');
    clock.advance(499);
    expect(transport.conns.length).toBe(1);
    clock.advance(1);
    expect(transport.conns.length).toBe(2);
    expect(log.includes('connect false')).toBe(false);
  });

  it('CONNACK timeout (counted from the dial) closes and reconnects', () => {
    const { c, transport, clock, log } = setup({ limits: { ackTimeout: 2000 } }, { random: () => 0 });
    c.connect();
    clock.advance(1500);
    transport.last.open(); // a slow TCP/TLS handshake eats into the same budget
    clock.advance(499);
    expect(log).toEqual([]);
    clock.advance(1);
    expect(log).toEqual(['error no CONNACK within 2000 ms', 'close no CONNACK within 2000 ms']);
    expect(transport.conns[0]!.closedByClient).toBe(true);
    clock.advance(0);
    expect(transport.conns.length).toBe(2);
  });

  it('a transport error is reported and followed by a reconnect', () => {
    const { c, transport, clock, log, online } = setup({}, { random: () => 0 });
    c.connect();
    online();
    transport.last.error('ECONNRESET');
    expect(log).toEqual(['connect false', 'error ECONNRESET', 'close ECONNRESET']);
    expect(c.connected).toBe(false);
    clock.advance(0);
    expect(transport.conns.length).toBe(2);
  });
});

describe('keepalive in virtual time', () => {
  it('PINGREQ after keepalive seconds idle, none while busy', () => {
    const { c, transport, clock, online } = setup({ keepalive: 20 });
    c.connect();
    const conn = online();
    for (let k = 0; k < 10; k++) {
      clock.advance(10_000);
      c.publish('t', 'busy');
    }
    expect(conn.types()).toEqual(Array(10).fill(3));
    clock.advance(19_999);
    expect(conn.types()).toEqual([]);
    clock.advance(1);
    expect(conn.types()).toEqual([12]);
    conn.send({ type: 13 });
    clock.advance(20_000);
    expect(conn.types()).toEqual([12]);
    expect(transport.conns.length).toBe(1);
  });

  it('no PINGRESP within ackTimeout: the connection is dead, closed, and a new one is made', () => {
    const { c, transport, clock, log, online } = setup({ keepalive: 30, limits: { ackTimeout: 5000 } }, { random: () => 0 });
    c.connect();
    const conn = online();
    clock.advance(30_000);
    expect(conn.types()).toEqual([12]);
    clock.advance(5000);
    expect(log.slice(1)).toEqual(['error no PINGRESP within 5000 ms', 'close no PINGRESP within 5000 ms']);
    expect(conn.closedByClient).toBe(true);
    clock.advance(0);
    expect(transport.conns.length).toBe(2);
    online();
    expect(c.connected).toBe(true);
  });
});

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
});

describe('app code that throws', () => {
  const pub = (id: number, qos: 0 | 1 | 2, text: string, dup = false) =>
    ({ type: 3, topic: 'in', payload: utf8Encode(text), qos, retain: false, dup, ...(qos ? { id } : {}) }) as const;

  it('a throwing message handler: error event, the PUBACK still goes out, later messages arrive', () => {
    const { c, log, online } = setup();
    const seen: string[] = [];
    c.on('message', (_t, p) => {
      const m = new TextDecoder().decode(p);
      seen.push(m);
      if (m == 'bad') throw new Error('boom');
    });
    c.connect();
    const conn = online();
    expect(() => conn.send(pub(1, 1, 'bad'))).not.toThrow();
    expect(log.slice(1)).toEqual(['error handler error: boom']);
    expect(conn.take()).toEqual([{ type: 4, id: 1 }]);
    conn.send(pub(2, 1, 'good'));
    conn.send(pub(0, 0, 'also good'));
    expect(seen).toEqual(['bad', 'good', 'also good']);
    expect(conn.take()).toEqual([{ type: 4, id: 2 }]);
    expect(c.connected).toBe(true);
    expect(conn.closedByClient).toBe(false);
  });

  it('the rest of a chunk after the throwing delivery is still decoded; keepalive still answered', () => {
    const { c, clock, log, transport, online } = setup({ keepalive: 60 });
    c.on('message', () => {
      throw 'plain string';
    });
    c.connect();
    const conn = online();
    conn.bytes([...encode(pub(1, 1, 'x')), ...encode(pub(2, 1, 'y'))]);
    expect(log.slice(1)).toEqual(['error handler error: plain string', 'error handler error: plain string']);
    expect(conn.take()).toEqual([{ type: 4, id: 1 }, { type: 4, id: 2 }]);
    clock.advance(60_000);
    expect(conn.types()).toEqual([12]);
    conn.send({ type: 13 });
    // A deaf decoder would miss the PINGRESP: the connection would be closed after ackTimeout.
    clock.advance(30_000);
    expect(transport.conns.length).toBe(1);
    expect(c.connected).toBe(true);
  });

  it('QoS 2: the message counts as delivered, so a redelivery does not reach the handler again', () => {
    const { c, log, online } = setup();
    let calls = 0;
    c.on('message', () => {
      calls++;
      throw new Error('boom');
    });
    c.connect();
    const conn = online();
    conn.send(pub(7, 2, 'x'));
    conn.send(pub(7, 2, 'x', true));
    expect(calls).toBe(1);
    expect(log.slice(1)).toEqual(['error handler error: boom']);
    expect(conn.take()).toEqual([{ type: 5, id: 7 }, { type: 5, id: 7 }]);
    conn.send({ type: 6, id: 7 });
    expect(conn.take()).toEqual([{ type: 7, id: 7 }]);
  });

  it('throwing connect handler and publish/subscribe callbacks are reported; the session carries on', () => {
    const { c, log, online } = setup({ limits: { inflight: 1 } });
    c.on('connect', () => {
      throw new Error('in connect');
    });
    c.publish('o', '1', { qos: 1 }, () => {
      throw new Error('in publish cb');
    });
    c.publish('o', '2', { qos: 1 });
    c.subscribe([{ topic: 's', qos: 0 }], () => {
      throw new Error('in subscribe cb');
    });
    c.connect();
    const conn = online();
    expect(log).toEqual(['error handler error: in connect']);
    const [sub, p1] = conn.take() as { id: number }[];
    conn.send({ type: 4, id: p1!.id });
    // The window moved on: the second message went out after the first one's callback threw.
    expect((conn.take() as PublishPacket[]).map(txt)).toEqual(['2']);
    conn.send({ type: 9, id: sub!.id, codes: [0] });
    expect(log.slice(1)).toEqual(['error handler error: in publish cb', 'error handler error: in subscribe cb']);
    expect(c.connected).toBe(true);
  });

  it('an error handler that throws too: dropped, nothing escapes, the PUBACK still goes out', () => {
    const { c, online } = setup();
    const errors: string[] = [];
    c.on('message', () => {
      throw new Error('first');
    });
    c.on('error', (m) => {
      errors.push(m);
      throw new Error('second');
    });
    c.connect();
    const conn = online();
    expect(() => conn.send(pub(3, 1, 'x'))).not.toThrow();
    expect(errors).toEqual(['handler error: first']);
    expect(conn.take()).toEqual([{ type: 4, id: 3 }]);
    expect(c.connected).toBe(true);
  });
});

describe('app code that ends or restarts the connection while a message is delivered', () => {
  const m = { type: 3, topic: 'in', payload: utf8Encode('x'), qos: 1, retain: false, dup: false, id: 4 } as const;

  it('end() in the message handler: DISCONNECT, closed, no PUBACK after it, nothing thrown', () => {
    const { c, log, online } = setup();
    c.on('message', () => c.end());
    c.connect();
    const conn = online();
    expect(() => conn.send(m)).not.toThrow(); // the fake socket throws on a write after close
    expect(conn.types()).toEqual([14]);
    expect(log).toEqual(['connect false', 'close end']);
  });

  it('connect() in the message handler: the new connection starts with CONNECT, not the PUBACK', () => {
    const { c, log, transport, online } = setup();
    c.on('message', () => c.connect());
    c.connect();
    const first = online();
    first.send(m);
    expect(first.types()).toEqual([14]);
    expect(transport.conns.length).toBe(2);
    online();
    expect(log).toEqual(['connect false', 'close reconnect', 'connect false']);
  });
});

describe('server misbehaviour', () => {
  it('a protocol violation closes the connection with the clause, then reconnects', () => {
    const { c, transport, clock, log, online } = setup({}, { random: () => 0 });
    c.connect();
    const conn = online();
    conn.send({ type: 8, id: 1, subs: [{ topic: 'a', qos: 0 }] });
    const m = 'bad packet from server: [MQTT-4.8.0-1] unexpected packet type 8';
    expect(log.slice(1)).toEqual(['error ' + m, 'close ' + m]);
    expect(conn.closedByClient).toBe(true);
    clock.advance(0);
    expect(transport.conns.length).toBe(2);
  });

  it('undecodable bytes close the connection with the decoder clause; the rest of the chunk is ignored', () => {
    const { c, log, msgs, online } = setup();
    c.connect();
    const conn = online();
    conn.bytes([0xf0, 0x00, 0x30, 0x03, 0x00, 0x01, 0x61]); // reserved type 15, then a PUBLISH
    expect(log.slice(1)).toEqual(['error bad packet from server: [MQTT-2.2.1]', 'close bad packet from server: [MQTT-2.2.1]']);
    expect(msgs).toEqual([]);
  });

  it('a close reported after the client closed is ignored', () => {
    const { c, transport, clock, log, online } = setup();
    c.connect();
    const conn = online();
    c.drop();
    conn.h.onClose('closed');
    conn.h.onData(new Uint8Array([0xd0, 0]));
    clock.advance(3_600_000);
    expect(log).toEqual(['connect false', 'close drop']);
    expect(transport.conns.length).toBe(1);
  });
});

describe('backoff between attempts', () => {
  it('grows exponentially with full jitter, is capped, and resets after a CONNACK', () => {
    const rolls = [0.5, 0.25, 0.5, 0.5, 0.5, 0.5, 0.75, 0.5];
    let k = 0;
    const { c, transport, clock, online } = setup(
      { limits: { backoffMin: 1000, backoffMax: 10_000 } },
      { random: () => rolls[k++ % rolls.length]! },
    );
    const at: number[] = [];
    c.connect();
    const fail = () => {
      const n = transport.conns.length;
      transport.last.error('ECONNREFUSED');
      while (transport.conns.length == n) clock.advance(1);
      at.push(clock.now());
    };
    for (let i = 0; i < 6; i++) fail();
    const gaps = at.map((t, i) => t - (i ? at[i - 1]! : 0));
    // random * min(10000, 1000 * 2^n): 500, 500, 2000, 4000, 5000 (capped), 5000 (capped)
    expect(gaps).toEqual([500, 500, 2000, 4000, 5000, 5000]);
    online();
    fail(); // reset: back to attempt 0 (roll 0.75 -> 750)
    expect(at[6]! - at[5]!).toBe(750);
  });
});

describe('calls while waiting to reconnect', () => {
  it('publish, subscribe and unsubscribe queue without touching the reconnect delay', () => {
    const { c, transport, clock, online } = setup({ limits: { backoffMin: 1000 } }, { random: () => 0.5 });
    c.connect();
    transport.last.error('ECONNREFUSED');
    expect(clock.pending()).toBe(1);
    c.publish('t', 'queued', { qos: 1 });
    c.subscribe([{ topic: 'a', qos: 0 }]);
    c.unsubscribe(['a']);
    expect(clock.pending()).toBe(1);
    clock.advance(500);
    expect(transport.conns.length).toBe(2);
    const conn = online();
    expect(conn.types()).toEqual([8, 10, 3]);
  });
});

describe('ending', () => {
  it('end() sends DISCONNECT, closes, stops reconnecting and leaves no timer', () => {
    const { c, transport, clock, log, online } = setup({ keepalive: 10 });
    c.connect();
    const conn = online();
    let ended = false;
    c.end(() => (ended = true));
    expect(ended).toBe(true);
    expect(conn.types()).toEqual([14]);
    expect(conn.closedByClient).toBe(true);
    expect(c.connected).toBe(false);
    expect(log).toEqual(['connect false', 'close end']);
    expect(clock.pending()).toBe(0);
    clock.advance(3_600_000);
    expect(transport.conns.length).toBe(1);
  });

  it('end() while waiting to reconnect cancels the attempt', () => {
    const { c, transport, clock } = setup({}, { random: () => 0.9 });
    c.connect();
    transport.last.error('ECONNREFUSED');
    expect(clock.pending()).toBe(1);
    c.end();
    expect(clock.pending()).toBe(0);
    clock.advance(3_600_000);
    expect(transport.conns.length).toBe(1);
  });

  it('drop() closes without DISCONNECT; connect() afterwards resumes the session', () => {
    const { c, transport, clock, online } = setup();
    c.connect();
    let conn = online();
    c.publish('t', 'pending', { qos: 1 });
    const [p] = conn.take();
    c.drop();
    expect(conn.take()).toEqual([]);
    expect(conn.closedByClient).toBe(true);
    clock.advance(3_600_000);
    expect(transport.conns.length).toBe(1);
    c.connect();
    conn = online();
    expect(conn.take()).toEqual([{ ...p, dup: true }]);
  });

  it('a second connect() while connected says DISCONNECT, reconnects with merged options and keeps in-flight state', () => {
    const { c, transport, online, log } = setup({ username: 'u', password: 'old' });
    c.connect();
    let conn = online();
    c.publish('t', 'inflight', { qos: 1 });
    const [p] = conn.take();
    c.connect({ password: 'new' });
    expect(conn.types()).toEqual([14]);
    conn = transport.last;
    conn.open();
    const [connect] = conn.take();
    expect(connect).toMatchObject({ type: 1, username: 'u', password: utf8Encode('new') });
    conn.connack(0, true);
    expect(conn.take()).toEqual([{ ...p, dup: true }]);
    expect(log).toEqual(['connect false', 'close reconnect', 'connect true']);
  });
});

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
});
