// When the client closes and reconnects on its own: server faults, backoff, calls meanwhile (clientHarness.ts).
import { describe, expect, it } from 'vitest';
import { setup } from '../../support/clientHarness.js';

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

  it('a server that never releases incoming QoS 2 messages: closed at limits.incomingQos2, named, reconnected', () => {
    const { c, transport, clock, log, msgs, online } = setup({ limits: { incomingQos2: 3 } }, { random: () => 0 });
    c.connect();
    const conn = online();
    const q2 = (id: number) => conn.send({ type: 3, topic: 'in', payload: new Uint8Array([48 + id]), qos: 2, retain: false, dup: false, id });
    for (let id = 1; id <= 4; id++) q2(id);
    const m = 'too many QoS 2 messages await PUBREL (limits.incomingQos2 = 3)';
    expect(log.slice(1)).toEqual(['error ' + m, 'close ' + m]);
    expect(msgs.map(([, p]) => p)).toEqual(['1', '2', '3']);
    expect(conn.take()).toEqual([5, 5, 5].map((type, i) => ({ type, id: i + 1 })));
    expect(conn.closedByClient).toBe(true);
    clock.advance(0);
    expect(transport.conns.length).toBe(2);
  });

  it('a wire error from the decoder ends the connection, saying it came from the server, then reconnects', () => {
    const { c, transport, clock, log, online } = setup({}, { random: () => 0 });
    c.connect();
    online();
    transport.last.bytes([0x30, 5, 0, 3, 0x61, 0x2f, 0x2b]); // PUBLISH to 'a/+': a wildcard [MQTT-3.3.2-2]
    expect(log.slice(1)).toEqual(['error bad packet from server: [MQTT-3.3.2-2]', 'close bad packet from server: [MQTT-3.3.2-2]']);
    clock.advance(0);
    expect(transport.conns.length).toBe(2);
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
