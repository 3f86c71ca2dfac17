// An in-memory network link with scripted faults, as a HAL Transport. Test code plays the far end
// through LinkPeer. Every delivery (open, data, close, refusal) runs from a timer on the supplied
// clock, never inside the call that caused it: with a VirtualClock nothing moves until the test calls
// advance() (advance(0) runs everything due now), so runs are reproducible; with realClock it behaves
// like a socket. The one exception is faults.drop() with no byte count: test code calls it, and both
// ends hear the close before it returns. Split sizes come from a seeded generator, so a seed replays
// the same chunking.
import type { Clock, ConnectOptions, Socket, SocketHandlers, Transport } from '../types.js';
import { realClock } from './clock.js';
import { concat, Pipe, type PipeFaults, type SplitSpec } from './pipe.js';
import { seeded } from './random.js';

export type { SplitSpec };

/** up = client to server, down = server to client. */
export type Dir = 'up' | 'down' | 'both';

export interface LinkOptions {
  clock?: Clock;
  seed?: number;
}

export interface LinkPeer {
  /** What the client asked for (host, port, tls...); the link itself carries plain bytes. */
  readonly opts: ConnectOptions;
  readonly closed: boolean;
  write(bytes: Uint8Array): void;
  close(): void;
  onData(fn: (bytes: Uint8Array) => void): void;
  onClose(fn: (reason: string) => void): void;
  /** Every byte received since the last take(), whether or not an onData handler saw it. */
  take(): Uint8Array;
}

export interface LinkFaults {
  /** Cut every delivery into chunks (undefined turns it off). Applied after merge. */
  split(spec: SplitSpec | undefined, dir?: Dir): void;
  /** Coalesce the writes queued by delivery time into one chunk. */
  merge(on: boolean, dir?: Dir): void;
  /** Delivery delay in ms on the link's clock; connecting takes one delay each way. */
  delay(ms: number, dir?: Dir): void;
  /** The next `times` connects fail with onError(msg) + onClose, asynchronously. */
  refuse(times?: number, msg?: string): void;
  /** Close both ends now, or once `afterBytes` more bytes have been delivered in `dir`. */
  drop(afterBytes?: number, dir?: Dir): void;
  /** Bytes silently stop flowing both ways (now, or after `afterBytes`); no close event anywhere. */
  stall(afterBytes?: number, dir?: Dir): void;
  /** Back to a perfect link (does not revive a dropped or stalled connection). */
  reset(): void;
}

export interface Link {
  transport: Transport;
  server: { onConnection(fn: (peer: LinkPeer) => void): void };
  faults: LinkFaults;
  /** Every connection accepted so far, oldest first. */
  readonly peers: LinkPeer[];
  /** Connect attempts so far, refused ones included. */
  readonly attempts: number;
}

interface Cut {
  kind: 'drop' | 'stall';
  left: number;
  dir: Dir;
}

const DROPPED = 'connection dropped';

class Conn implements LinkPeer {
  readonly up: Pipe;
  readonly down: Pipe;
  cut: Cut | undefined;
  stalled = false;
  open = false;
  private clientDone = false;
  private peerDone = false;
  private rx: Uint8Array[] = [];
  private dataFn: ((b: Uint8Array) => void) | undefined;
  private closeFn: ((r: string) => void) | undefined;

  constructor(
    readonly opts: ConnectOptions,
    private readonly h: SocketHandlers,
    private readonly clock: Clock,
    faults: { up: PipeFaults; down: PipeFaults },
    rnd: () => number,
  ) {
    this.up = new Pipe(clock, faults.up, rnd, {
      data: (b) => this.pass('up', b),
      end: (r) => this.endPeer(r),
    });
    this.down = new Pipe(clock, faults.down, rnd, {
      data: (b) => this.pass('down', b),
      end: (r) => this.endClient(r),
    });
  }

  get closed(): boolean {
    return this.peerDone;
  }

  get clientClosed(): boolean {
    return this.clientDone;
  }

  // --- the far end, driven by test code
  write(bytes: Uint8Array): void {
    if (!this.peerDone && !this.stalled) this.down.push(bytes);
  }
  close(): void {
    if (this.peerDone) return;
    this.peerDone = true;
    this.up.kill();
    if (!this.stalled) this.down.end('closed by peer');
    this.later(() => this.closeFn?.('closed'));
  }
  onData(fn: (bytes: Uint8Array) => void): void {
    this.dataFn = fn;
  }
  onClose(fn: (reason: string) => void): void {
    this.closeFn = fn;
  }
  take(): Uint8Array {
    const out = concat(this.rx);
    this.rx = [];
    return out;
  }

  // --- the client's socket
  socket(): Socket {
    return {
      write: (bytes) => {
        if (!this.clientDone && !this.stalled) this.up.push(bytes);
      },
      close: () => {
        if (this.clientDone) return;
        this.clientDone = true;
        this.down.kill();
        if (this.open && !this.stalled) this.up.end('closed by peer');
        else this.up.kill();
        this.later(() => this.h.onClose('closed'));
      },
    };
  }

  drop(reason = DROPPED): void {
    this.up.kill();
    this.down.kill();
    this.endClient(reason);
    this.endPeer(reason);
  }

  stall(): void {
    this.stalled = true;
    this.up.kill();
    this.down.kill();
  }

  private pass(dir: 'up' | 'down', bytes: Uint8Array): void {
    const c = this.cut;
    if (c && (c.dir === 'both' || c.dir === dir)) {
      if (bytes.length >= c.left) {
        const head = bytes.subarray(0, c.left);
        this.cut = undefined;
        if (head.length) this.give(dir, head);
        if (c.kind === 'drop') this.drop();
        else this.stall();
        return;
      }
      c.left -= bytes.length;
    }
    this.give(dir, bytes);
  }

  private give(dir: 'up' | 'down', bytes: Uint8Array): void {
    if (dir === 'down') {
      this.h.onData(bytes);
      return;
    }
    this.rx.push(bytes);
    this.dataFn?.(bytes);
  }

  private endClient(reason: string): void {
    if (this.clientDone) return;
    this.clientDone = true;
    this.h.onClose(reason);
  }

  private endPeer(reason: string): void {
    if (this.peerDone) return;
    this.peerDone = true;
    this.closeFn?.(reason);
  }

  private later(fn: () => void): void {
    this.clock.setTimer(0, fn);
  }
}

export function createLink(opts: LinkOptions = {}): Link {
  const clock = opts.clock ?? realClock();
  const rnd = seeded(opts.seed ?? 1);
  const faults = { up: perfect(), down: perfect() };
  const conns: Conn[] = [];
  let accept: ((peer: LinkPeer) => void) | undefined;
  let refusals: { left: number; msg: string } | undefined;
  let pending: Cut | undefined;
  let attempts = 0;

  const each = (dir: Dir, fn: (f: PipeFaults) => void): void => {
    if (dir !== 'down') fn(faults.up);
    if (dir !== 'up') fn(faults.down);
  };
  const live = (): Conn | undefined => {
    const c = conns[conns.length - 1];
    return c && !c.clientClosed && !c.closed && !c.stalled ? c : undefined;
  };
  const arm = (kind: Cut['kind'], afterBytes: number | undefined, dir: Dir): void => {
    const c = live();
    if (afterBytes === undefined) {
      if (!c) throw new Error(`link: no open connection to ${kind}`);
      if (kind === 'drop') c.drop();
      else c.stall();
      return;
    }
    if (!(afterBytes >= 0)) throw new Error(`link: ${kind} afterBytes must be >= 0`);
    // With no connection up yet, the cut waits for the next one.
    if (c) c.cut = { kind, left: afterBytes, dir };
    else pending = { kind, left: afterBytes, dir };
  };

  const transport: Transport = {
    connect(co: ConnectOptions, h: SocketHandlers): Socket {
      attempts++;
      const conn = new Conn(co, h, clock, faults, rnd);
      const refused = refusals && refusals.left > 0 ? refusals : undefined;
      if (refused) refused.left--;
      clock.setTimer(faults.up.delay + faults.down.delay, () => {
        if (conn.clientClosed) return;
        if (refused || !accept) {
          const msg = refused ? refused.msg : `ECONNREFUSED ${co.host}:${co.port}`;
          h.onError(msg);
          conn.drop(msg);
          return;
        }
        conn.open = true;
        conn.cut = pending;
        pending = undefined;
        conns.push(conn);
        accept(conn);
        conn.up.open();
        conn.down.open();
        if (!conn.clientClosed) h.onOpen();
      });
      return conn.socket();
    },
  };

  return {
    transport,
    server: { onConnection: (fn) => (accept = fn) },
    peers: conns,
    get attempts() {
      return attempts;
    },
    faults: {
      split: (spec, dir = 'both') => each(dir, (f) => (f.split = spec)),
      merge: (on, dir = 'both') => each(dir, (f) => (f.merge = on)),
      delay: (ms, dir = 'both') => {
        if (!(ms >= 0)) throw new Error('link: delay must be >= 0 ms');
        each(dir, (f) => (f.delay = ms));
      },
      refuse: (times = 1, msg = 'ECONNREFUSED (scripted)') => (refusals = { left: times, msg }),
      drop: (afterBytes, dir = 'both') => arm('drop', afterBytes, dir),
      stall: (afterBytes, dir = 'both') => arm('stall', afterBytes, dir),
      reset: () => {
        each('both', (f) => Object.assign(f, perfect()));
        refusals = undefined;
        pending = undefined;
      },
    },
  };
}

function perfect(): PipeFaults {
  return { split: undefined, merge: false, delay: 0 };
}
