import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../hal/emulated/clock.js';
import { createLink } from '../../../hal/emulated/link.js';
import { bytes, connected, dial, range, setup } from './link-harness.js';

describe('link: connecting', () => {
  it('opens asynchronously and hands the far end to the server', () => {
    const { clock, link, peers } = setup();
    const c = dial(link, 'broker.local', 8883);
    expect(c.events).toEqual([]);
    expect(peers).toHaveLength(0);
    clock.advance(0);
    expect(c.events).toEqual(['open']);
    expect(peers[0]!.opts).toMatchObject({ host: 'broker.local', port: 8883, tls: false });
    expect(link.peers).toHaveLength(1);
  });

  it('refuses when nobody listens: onError then onClose, no throw, no open', () => {
    const clock = new VirtualClock();
    const link = createLink({ clock });
    const c = dial(link, '10.0.0.1', 1883);
    clock.advance(0);
    expect(c.events).toEqual(['error ECONNREFUSED 10.0.0.1:1883', 'close ECONNREFUSED 10.0.0.1:1883']);
    c.socket.write(bytes(1));
    c.socket.close();
    clock.advance(10);
    expect(c.events).toHaveLength(2);
  });

  it('refuses the scripted number of connects, then accepts', () => {
    const { clock, link, peers } = setup();
    link.faults.refuse(2, 'ECONNREFUSED test');
    const a = dial(link);
    const b = dial(link);
    const ok = dial(link);
    clock.advance(0);
    expect(a.events).toEqual(['error ECONNREFUSED test', 'close ECONNREFUSED test']);
    expect(b.events).toEqual(['error ECONNREFUSED test', 'close ECONNREFUSED test']);
    expect(ok.events).toEqual(['open']);
    expect(peers).toHaveLength(1);
    expect(link.attempts).toBe(3);
  });

  it('a close while connecting ends the attempt: one close, no open, no server connection', () => {
    const { clock, link, peers } = setup();
    const c = dial(link);
    c.socket.write(bytes(1, 2));
    c.socket.close();
    c.socket.close();
    clock.advance(0);
    expect(c.events).toEqual(['close closed']);
    expect(peers).toHaveLength(0);
  });

  it('writes made before the open arrive after it, in order', () => {
    const { clock, link, peerChunks } = setup();
    const c = dial(link);
    c.socket.write(bytes(1));
    c.socket.write(bytes(2, 3));
    clock.advance(0);
    expect(peerChunks).toEqual([[1], [2, 3]]);
  });
});

describe('link: data', () => {
  it('delivers both ways, never inside write()', () => {
    const { clock, c, peer, peerChunks } = connected();
    c.socket.write(bytes(1, 2, 3));
    peer.write(bytes(9));
    expect(peerChunks).toEqual([]);
    expect(c.chunks).toEqual([]);
    clock.advance(0);
    expect(peerChunks).toEqual([[1, 2, 3]]);
    expect(c.received()).toEqual([9]);
    expect([...peer.take()]).toEqual([1, 2, 3]);
    expect(peer.take()).toHaveLength(0);
  });

  it('copies written bytes, so reusing the buffer cannot corrupt the stream', () => {
    const { clock, c, peerChunks } = connected();
    const buf = bytes(1, 2);
    c.socket.write(buf);
    buf[0] = 7;
    clock.advance(0);
    expect(peerChunks).toEqual([[1, 2]]);
  });

  it('ignores empty writes', () => {
    const { clock, c, peerChunks } = connected();
    c.socket.write(new Uint8Array(0));
    clock.advance(0);
    expect(peerChunks).toEqual([]);
  });
});

describe('link: closing', () => {
  it('a client close reaches the peer after the data, and the client hears it once', () => {
    const { clock, c, peerEvents, peerChunks } = connected();
    c.socket.write(bytes(1));
    c.socket.close();
    c.socket.write(bytes(2));
    c.socket.close();
    expect(c.events).toEqual(['open']);
    clock.advance(0);
    expect(peerChunks).toEqual([[1]]);
    expect(peerEvents).toEqual(['close closed by peer']);
    expect(c.events).toEqual(['open', 'close closed']);
  });

  it('a peer close reaches the client after the data', () => {
    const { clock, c, peer, peerEvents } = connected();
    peer.write(bytes(1));
    peer.close();
    peer.write(bytes(2));
    clock.advance(0);
    expect(c.events).toEqual(['open', 'data 1', 'close closed by peer']);
    expect(peerEvents).toEqual(['close closed']);
    c.socket.write(bytes(3));
    c.socket.close();
    clock.advance(0);
    expect(c.events).toHaveLength(3);
  });

  it('the client may close from inside onData; nothing more is delivered', () => {
    const { clock, link, peers } = setup();
    const seen: number[] = [];
    const closes: string[] = [];
    link.faults.split(1);
    const s = link.transport.connect(
      { host: 'h', port: 1, tls: true },
      {
        onOpen: () => {},
        onData: (b) => {
          seen.push(b[0]!);
          s.close();
        },
        onClose: (r) => closes.push(r),
        onError: () => {},
      },
    );
    clock.advance(0);
    peers[0]!.write(range(5));
    clock.advance(0);
    expect(seen).toEqual([0]);
    expect(closes).toEqual(['closed']);
  });
});

describe('link: determinism and real time', () => {
  it('the same seed and script give the same trace', () => {
    const trace = () => {
      const { clock, link, c, peer } = connected(9);
      link.faults.split({ max: 7 });
      link.faults.merge(true);
      for (let i = 0; i < 20; i++) peer.write(range(i + 1));
      clock.advance(0);
      link.faults.drop(13);
      peer.write(range(30));
      clock.advance(0);
      return c.events.join('|');
    };
    expect(trace()).toBe(trace());
  });

  it('works on the real clock by default', async () => {
    const link = createLink();
    link.server.onConnection((p) => p.onData((b) => p.write(b)));
    const got: number[] = [];
    let closed = '';
    const s = link.transport.connect(
      { host: 'h', port: 1, tls: false },
      {
        onOpen: () => s.write(bytes(4, 2)),
        onData: (b) => {
          got.push(...b);
          s.close();
        },
        onClose: (r) => (closed = r),
        onError: () => {},
      },
    );
    for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 5));
    expect(got).toEqual([4, 2]);
    expect(closed).toBe('closed');
  });
});
