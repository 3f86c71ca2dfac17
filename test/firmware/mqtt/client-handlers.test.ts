// App code run by the client (handlers, callbacks) that throws, ends or reconnects (clientHarness.ts).
import { describe, expect, it } from 'vitest';
import { encode } from '../../../firmware/mqtt/codec/encode.js';
import type { PublishPacket } from '../../../firmware/mqtt/codec/packet.js';
import { utf8Encode } from '../../../firmware/mqtt/codec/utf8.js';
import { setup, txt } from '../../support/clientHarness.js';

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
