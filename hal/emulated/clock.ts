// Clocks for the simulator: a virtual one that tests drive, and a real one over Node timers.
import type { Clock, TimerId } from '../types.js';

interface Timer {
  id: TimerId;
  at: number;
  fn: () => void;
}

/** Time moves only when advance() is called; timers fire in deadline order, ties in arming order. */
export class VirtualClock implements Clock {
  private t = 0;
  private nextId = 1;
  private timers: Timer[] = [];
  /** Epoch seconds at virtual time 0; 0 means "real time unknown". */
  epoch: number;

  constructor(epoch = 1_700_000_000) {
    this.epoch = epoch;
  }

  now(): number {
    return this.t;
  }

  time(): number {
    return this.epoch ? this.epoch + Math.floor(this.t / 1000) : 0;
  }

  setTimer(ms: number, fn: () => void): TimerId {
    const id = this.nextId++;
    this.timers.push({ id, at: this.t + Math.max(0, ms), fn });
    return id;
  }

  clearTimer(id: TimerId): void {
    this.timers = this.timers.filter((x) => x.id !== id);
  }

  /** Number of armed timers (tests use it to check nothing leaks). */
  pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by ms, firing every timer that falls due, including ones armed meanwhile. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const x of this.timers) if (x.at <= end && (!next || x.at < next.at)) next = x;
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
  }
}

/** Wall-clock time over Node timers, for the simulator and real-socket tests. */
export function realClock(): Clock {
  const start = performance.now();
  return {
    now: () => performance.now() - start,
    time: () => Math.floor(Date.now() / 1000),
    setTimer: (ms, fn) => setTimeout(fn, ms) as unknown as TimerId,
    clearTimer: (id) => clearTimeout(id as unknown as NodeJS.Timeout),
  };
}
