// The client's connecting, refusals and keepalive, in virtual time (clientHarness.ts).
import { describe, expect, it } from 'vitest';
import { setup } from '../../support/clientHarness.js';

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

  for (const [rc, reason] of [[1, 'unacceptable protocol version'], [2, 'identifier rejected'], [3, 'server unavailable'],
    [4, 'bad user name or password'], [5, 'not authorized']] as const) {
    it(`refused with rc ${rc}: error, then 'refused' with the code, its meaning and the delay, then close; dials again after it`, () => {
      const { c, transport, clock, log } = setup({ limits: { backoffMin: 1000 } }, { random: () => 0.5 });
      c.on('refused', (code, why, retryIn) => log.push(`refused ${code} ${why} ${retryIn}`));
      c.connect();
      transport.last.open();
      transport.last.connack(rc);
      const m = `connection refused: ${reason} (rc ${rc})`;
      expect(log).toEqual([`error ${m}`, `refused ${rc} ${reason} 500`, `close ${m}`]);
      expect(c.connected).toBe(false);
      expect(transport.last.closedByClient).toBe(true);
      clock.advance(499);
      expect(transport.conns.length).toBe(1);
      clock.advance(1);
      expect(transport.conns.length).toBe(2);
      expect(log.includes('connect false')).toBe(false);
    });
  }

  it('refused 5 until the key is fixed: told each time, backoff doubling to its cap, then accepted', () => {
    // random() = 1 (just under): each delay is its whole window, so the cap shows.
    const { c, transport, clock, log } = setup({ username: 'u', password: 'old', limits: { backoffMin: 1000, backoffMax: 4000 } }, { random: () => 0.999 });
    const waits: number[] = [];
    c.on('refused', (code, _why, retryIn) => (expect(code).toBe(5), waits.push(Math.round(retryIn!))));
    c.connect();
    for (let i = 0; i < 5; i++) {
      transport.last.open();
      transport.last.connack(5);
      clock.advance(waits[i]!);
    }
    expect(waits).toEqual([999, 1998, 3996, 3996, 3996]);
    expect(transport.conns.length).toBe(6);
    transport.last.open();
    transport.last.connack(0);
    expect(c.connected).toBe(true);
    expect(log.filter((l) => l.startsWith('close'))).toHaveLength(5);
    expect(log[log.length - 1]).toBe('connect false');
    // Accepted: the backoff starts over.
    transport.last.drop();
    expect(clock.pending()).toBe(1);
    clock.advance(998);
    expect(transport.conns.length).toBe(6);
    clock.advance(1);
    expect(transport.conns.length).toBe(7);
  });

  it("refused with reconnect: false: told with no delay, and no dial after it", () => {
    const { c, transport, clock, log } = setup({ reconnect: false });
    c.on('refused', (code, _why, retryIn) => log.push(`refused ${code} ${retryIn}`));
    c.connect();
    transport.last.open();
    transport.last.connack(4);
    expect(log).toContain('refused 4 undefined');
    expect(clock.pending()).toBe(0);
    clock.advance(3_600_000);
    expect(transport.conns.length).toBe(1);
  });

  it('an app that calls end() from the error handler of a refusal gets no dial after it', () => {
    const { c, transport, clock } = setup();
    c.on('error', () => c.end());
    c.connect();
    transport.last.open();
    transport.last.connack(5);
    expect(clock.pending()).toBe(0);
    clock.advance(3_600_000);
    expect(transport.conns.length).toBe(1);
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

  it('packets that only push the keepalive deadline later set no timer; the one set stays', () => {
    const { c, clock, online } = setup({ keepalive: 20 });
    let sets = 0;
    const set = clock.setTimer.bind(clock);
    clock.setTimer = (ms, fn) => (sets++, set(ms, fn));
    c.connect();
    const conn = online();
    const before = sets;
    for (let k = 0; k < 50; k++) {
      clock.advance(100);
      c.publish('t', 'busy');
      conn.send({ type: 3, topic: 'in', payload: new Uint8Array(1), qos: 0, retain: false, dup: false });
    }
    expect(sets).toBe(before);
    expect(clock.pending()).toBe(1);
    clock.advance(19_999); // the first timer fires at 20 s, finds nothing due and is set again
    expect(conn.types()).toEqual(Array(50).fill(3));
    clock.advance(5000);
    expect(conn.types()).toEqual([12]); // 20 s after the last write
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
