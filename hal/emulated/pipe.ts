// One direction of an emulated link: an ordered byte queue delivered on the supplied clock, with the
// fault settings (split, merge, delay) read at delivery time so a test can change them mid-stream.
import type { Clock, TimerId } from '../types.js';

/** How each delivery is cut: fixed size, a repeating list of sizes, or seeded random sizes 1..max. */
export type SplitSpec = number | number[] | { max: number };

export interface PipeFaults {
  split?: SplitSpec;
  /** Deliver everything queued and due as one chunk instead of one chunk per write. */
  merge: boolean;
  /** Added to every write and to the close that follows them, ms. */
  delay: number;
}

interface Item {
  at: number;
  bytes?: Uint8Array;
  /** Set on the close marker: the reason handed to the far end. */
  end?: string;
}

export interface PipeSink {
  data(bytes: Uint8Array): void;
  end(reason: string): void;
}

export class Pipe {
  private q: Item[] = [];
  private timer: TimerId | undefined;
  private dead = false;
  private held = true;
  private last = 0;
  private splitAt = 0;

  constructor(
    private readonly clock: Clock,
    readonly faults: PipeFaults,
    private readonly rnd: () => number,
    private readonly sink: PipeSink,
  ) {}

  push(bytes: Uint8Array): void {
    if (!this.dead && bytes.length) this.add({ at: this.due(), bytes: bytes.slice() });
  }

  /** Queues a close after the bytes already written, as a FIN follows the data in TCP. */
  end(reason: string): void {
    if (!this.dead) this.add({ at: this.due(), end: reason });
  }

  /** Holds deliveries until the connection is open; writes made before then keep their order. */
  open(): void {
    this.held = false;
    this.arm();
  }

  /** Discards whatever is queued; nothing more is delivered. */
  kill(): void {
    this.dead = true;
    this.q = [];
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  get killed(): boolean {
    return this.dead;
  }

  private due(): number {
    // A later write never overtakes an earlier one, even if the delay shrank in between.
    this.last = Math.max(this.last, this.clock.now() + this.faults.delay);
    return this.last;
  }

  private add(item: Item): void {
    this.q.push(item);
    this.arm();
  }

  private arm(): void {
    const head = this.q[0];
    if (this.held || this.dead || this.timer !== undefined || !head) return;
    this.timer = this.clock.setTimer(Math.max(0, head.at - this.clock.now()), () => {
      this.timer = undefined;
      this.flush();
    });
  }

  private flush(): void {
    const head = this.q.shift();
    if (!head) return;
    if (head.end !== undefined) {
      this.kill();
      this.sink.end(head.end);
      return;
    }
    let bytes = head.bytes as Uint8Array;
    if (this.faults.merge) {
      // Take the following writes that are due by the same moment; stop at a close marker.
      const by = Math.max(head.at, this.clock.now());
      const parts = [bytes];
      while (this.q[0] && this.q[0].bytes && this.q[0].at <= by) parts.push(this.q.shift()!.bytes!);
      bytes = concat(parts);
    }
    for (const piece of this.cut(bytes)) {
      if (this.dead) return;
      this.sink.data(piece);
    }
    this.arm();
  }

  private cut(bytes: Uint8Array): Uint8Array[] {
    const s = this.faults.split;
    if (s === undefined) return [bytes];
    const out: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; ) {
      const n = Math.max(1, this.size(s));
      out.push(bytes.subarray(i, i + n));
      i += n;
    }
    return out;
  }

  private size(s: SplitSpec): number {
    if (typeof s === 'number') return s;
    if (Array.isArray(s)) return s.length ? s[this.splitAt++ % s.length]! : 1;
    return 1 + Math.floor(this.rnd() * s.max);
  }
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const p of parts) {
    out.set(p, n);
    n += p.length;
  }
  return out;
}
