import { describe, expect, it } from 'vitest';
import { bytes, connected, dial, range, setup } from './link-harness.js';

describe('link: faults', () => {
  it('split: fixed size cuts each delivery', () => {
    const { clock, link, c, peer } = connected();
    link.faults.split(3, 'down');
    peer.write(range(10));
    clock.advance(0);
    expect(c.chunks.map((x) => x.length)).toEqual([3, 3, 3, 1]);
    expect(c.received()).toEqual([...range(10)]);
  });

  it('split: a list of sizes repeats', () => {
    const { clock, link, c, peer } = connected();
    link.faults.split([1, 2]);
    peer.write(range(7));
    clock.advance(0);
    expect(c.chunks.map((x) => x.length)).toEqual([1, 2, 1, 2, 1]);
  });

  it('split: seeded random sizes stay in 1..max and replay with the same seed', () => {
    const run = (seed: number) => {
      const { clock, link, c, peer } = connected(seed);
      link.faults.split({ max: 5 });
      peer.write(range(200));
      clock.advance(0);
      expect(c.received()).toEqual([...range(200)]);
      return c.chunks.map((x) => x.length);
    };
    const a = run(42);
    expect(a.every((n) => n >= 1 && n <= 5)).toBe(true);
    expect(new Set(a).size).toBeGreaterThan(1);
    expect(run(42)).toEqual(a);
    expect(run(43)).not.toEqual(a);
  });

  it('split only in the direction asked', () => {
    const { clock, link, c, peer, peerChunks } = connected();
    link.faults.split(1, 'down');
    c.socket.write(range(4));
    peer.write(range(4));
    clock.advance(0);
    expect(peerChunks).toEqual([[0, 1, 2, 3]]);
    expect(c.chunks).toHaveLength(4);
  });

  it('merge: writes queued together arrive as one chunk', () => {
    const { clock, link, c, peer } = connected();
    peer.write(bytes(1));
    peer.write(bytes(2, 3));
    clock.advance(0);
    expect(c.chunks).toHaveLength(2);
    link.faults.merge(true);
    peer.write(bytes(4));
    peer.write(bytes(5, 6));
    peer.write(bytes(7));
    clock.advance(0);
    expect(c.chunks.slice(2).map((x) => [...x])).toEqual([[4, 5, 6, 7]]);
  });

  it('merge then split gives boundaries that match no write', () => {
    const { clock, link, c, peer } = connected();
    link.faults.merge(true);
    link.faults.split([4]);
    peer.write(bytes(1, 2, 3));
    peer.write(bytes(4, 5, 6));
    clock.advance(0);
    expect(c.chunks.map((x) => [...x])).toEqual([
      [1, 2, 3, 4],
      [5, 6],
    ]);
  });

  it('delay: data and connects wait on the clock; order survives a shrinking delay', () => {
    const { clock, link, peers, peerChunks } = setup();
    link.faults.delay(50);
    const c = dial(link);
    clock.advance(99);
    expect(c.events).toEqual([]);
    clock.advance(1);
    expect(c.events).toEqual(['open']);
    c.socket.write(bytes(1));
    link.faults.delay(0);
    c.socket.write(bytes(2));
    clock.advance(49);
    expect(peerChunks).toEqual([]);
    clock.advance(1);
    expect(peerChunks).toEqual([[1], [2]]);
    expect(peers).toHaveLength(1);
  });

  it('drop now closes both ends and discards what was in flight', () => {
    const { clock, link, c, peer, peerEvents, peerChunks } = connected();
    c.socket.write(bytes(1));
    peer.write(bytes(2));
    link.faults.drop();
    expect(c.events).toEqual(['open', 'close connection dropped']);
    expect(peerEvents).toEqual(['close connection dropped']);
    c.socket.write(bytes(3));
    peer.write(bytes(4));
    c.socket.close();
    clock.advance(100);
    expect(c.events).toEqual(['open', 'close connection dropped']);
    expect(peerChunks).toEqual([]);
    expect(peer.closed).toBe(true);
  });

  it('drop after N bytes cuts mid-chunk', () => {
    const { clock, link, c, peer, peerEvents } = connected();
    link.faults.drop(4, 'down');
    peer.write(range(3));
    clock.advance(0);
    expect(c.received()).toEqual([0, 1, 2]);
    peer.write(range(10));
    clock.advance(0);
    expect(c.received()).toEqual([0, 1, 2, 0]);
    expect(c.events.at(-1)).toBe('close connection dropped');
    expect(peerEvents).toEqual(['close connection dropped']);
  });

  it('a drop armed with no connection up applies to the next one', () => {
    const { clock, link, peerChunks } = setup();
    link.faults.drop(2, 'up');
    const c = dial(link);
    c.socket.write(range(5));
    clock.advance(0);
    expect(peerChunks).toEqual([[0, 1]]);
    expect(c.events).toEqual(['open', 'close connection dropped']);
    expect(() => link.faults.drop()).toThrow(/no open connection/);
  });

  it('stall: bytes vanish both ways and nobody hears a close', () => {
    const { clock, link, c, peer, peerEvents, peerChunks } = connected();
    link.faults.stall();
    c.socket.write(bytes(1));
    peer.write(bytes(2));
    clock.advance(3_600_000);
    expect(c.events).toEqual(['open']);
    expect(peerChunks).toEqual([]);
    expect(peerEvents).toEqual([]);
    // Half-open: each end learns only of its own close.
    c.socket.close();
    clock.advance(0);
    expect(c.events).toEqual(['open', 'close closed']);
    expect(peerEvents).toEqual([]);
  });

  it('stall after N bytes lets the first N through', () => {
    const { clock, link, c, peer, peerChunks } = connected();
    link.faults.stall(3, 'up');
    c.socket.write(range(5));
    peer.write(bytes(7));
    clock.advance(0);
    expect(peerChunks).toEqual([[0, 1, 2]]);
    expect(c.received()).toEqual([]);
    expect(c.events).toEqual(['open']);
  });

  it('a new connection after a stall flows again', () => {
    const { clock, link, c, peers, peerChunks } = connected();
    link.faults.stall();
    c.socket.close();
    const d = dial(link);
    clock.advance(0);
    d.socket.write(bytes(5));
    clock.advance(0);
    expect(peers).toHaveLength(2);
    expect(peerChunks).toEqual([[5]]);
  });

  it('reset restores a perfect link', () => {
    const { clock, link, c, peer } = connected();
    link.faults.split(1);
    link.faults.delay(10);
    link.faults.refuse(5);
    link.faults.reset();
    peer.write(range(4));
    clock.advance(0);
    expect(c.chunks).toHaveLength(1);
    const d = dial(link);
    clock.advance(0);
    expect(d.events).toEqual(['open']);
  });

  it('rejects nonsense fault arguments', () => {
    const { link } = connected();
    expect(() => link.faults.delay(-1)).toThrow(/delay/);
    expect(() => link.faults.drop(-1)).toThrow(/afterBytes/);
  });
});
