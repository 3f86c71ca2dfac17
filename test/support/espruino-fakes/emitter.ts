// Espruino's event emitter as its objects behave: on() adds a listener, emit() queues the call
// (listeners run from the idle loop, never inside the call that emitted). Queued events keep their
// order: setImmediate callbacks run first-in, first-out.

export type Listener = (...args: any[]) => void;

export class Emitter {
  private ls: Record<string, Listener[]> = {};

  on(ev: string, fn: Listener): this {
    if (typeof fn !== 'function') throw new TypeError(`on('${ev}'): listener must be a function`);
    (this.ls[ev] ??= []).push(fn);
    return this;
  }

  removeAllListeners(ev?: string): void {
    if (ev === undefined) this.ls = {};
    else delete this.ls[ev];
  }

  listenerCount(ev: string): number {
    return this.ls[ev]?.length ?? 0;
  }

  /** Queues a call of each listener ev has now (Espruino picks the callbacks when it queues), with
   *  `this` the object that emitted, as Espruino calls them. */
  emit(ev: string, ...args: unknown[]): void {
    const fns = (this.ls[ev] ?? []).slice();
    if (fns.length) setImmediate(() => fns.forEach((fn) => fn.apply(this, args)));
  }
}

/** True when s holds only chars 0-255: a byte string, as Espruino's sockets and UARTs carry. */
export function isByteString(s: unknown): s is string {
  // eslint-disable-next-line no-control-regex
  return typeof s === 'string' && !/[^\x00-\xff]/.test(s);
}

/** Throws unless s is a byte string: real Espruino would toString() anything else and mangle it. */
export function needByteString(s: unknown, where: string): asserts s is string {
  if (typeof s !== 'string') {
    throw new TypeError(`${where}: expected a byte string, got ${Object.prototype.toString.call(s)} (Espruino would send its toString())`);
  }
  if (!isByteString(s)) throw new TypeError(`${where}: string holds chars above 255; a byte string has one char per byte`);
}
