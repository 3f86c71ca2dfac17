// Ending by the app: end(), drop(), and connect() again with the session kept (clientHarness.ts).
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../firmware/mqtt/codec/utf8.js';
import { setup } from '../../support/clientHarness.js';

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
