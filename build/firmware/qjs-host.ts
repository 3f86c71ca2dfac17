// A QuickJS engine (quickjs-emscripten, in-process) that stays alive between events, so firmware can
// run in it against the host's real sockets and timers: the host exposes plain functions to the
// engine and calls the engine's global functions when something happens. Only primitives cross
// (strings carry bytes as byte strings; objects as JSON text), so no handle outlives a call.
// quickjs-emscripten moves strings as NUL-terminated C strings, which would cut a byte string at its
// first 0 byte: strings holding NUL cross as JSON text instead (JSON escapes NUL as \u0000).
// Heap use is sampled at every interrupt check and after every call, as in es5-engines.ts (this
// build's QuickJS counts 8 bytes per malloc block for setMemoryLimit, so a real limit is enforced by
// interrupting the engine once the sampled heap grows past the cap). The cap counts from markBase(),
// so that the bytecode of the loaded bundle, which has no counterpart on a board, is left out.
import { getQuickJS, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, shouldInterruptAfterDeadline } from 'quickjs-emscripten';

export type Prim = string | number | boolean | null | undefined;

export interface QjsHostOptions {
  /** Cap on heap growth over markBase(), in bytes. */
  heapBytes?: number;
  /** Longest one eval or call may run, ms (default 5000): catches an endless loop. */
  sliceMs?: number;
  /** Uncaught errors of calls into the engine, and the heap cap when it is hit. */
  onError?: (msg: string) => void;
}

export class QjsHost {
  /** Highest heap use seen, bytes over an empty engine. */
  peak = 0;
  /** Heap use at markBase(). */
  base = 0;
  /** Set once the cap was exceeded; the engine refuses to run afterwards. */
  overCap = false;
  private empty = 0;
  private deadline: (rt: QuickJSRuntime) => boolean | undefined = () => false;
  private dead = false;

  private constructor(
    private rt: QuickJSRuntime,
    private vm: QuickJSContext,
    private o: QjsHostOptions,
  ) {
    this.empty = this.used();
    rt.setInterruptHandler((r) => this.sample() || this.deadline(r));
  }

  static async create(o: QjsHostOptions = {}): Promise<QjsHost> {
    const rt = (await getQuickJS()).newRuntime();
    return new QjsHost(rt, rt.newContext(), o);
  }

  /** Heap in use now, over an empty engine. */
  heap(): number {
    return this.used() - this.empty;
  }

  markBase(): void {
    this.base = this.heap();
    this.peak = Math.max(this.peak, this.base);
  }

  /** Defines a global function; its arguments arrive as primitives (objects as their JSON dump). */
  expose(name: string, fn: (...args: any[]) => Prim | void): void {
    const f = this.vm.newFunction(name, (...handles) => {
      const r = fn(...handles.map((h) => this.value(h)));
      return this.handle(r as Prim);
    });
    this.vm.setProp(this.vm.global, name, f);
    f.dispose();
  }

  /** Runs ES5 source in the global scope; throws the engine's error. */
  eval(code: string, file = 'bundle.js'): void {
    this.guard();
    this.arm();
    const r = this.vm.evalCode(code, file);
    const err = this.settle(r);
    if (err) throw new Error(err);
  }

  /** Calls a global function; an uncaught error goes to onError (a board prints it and goes on). */
  call(name: string, ...args: Prim[]): void {
    if (this.dead || this.overCap) return;
    const fn = this.vm.getProp(this.vm.global, name);
    const hs = args.map((a) => this.handle(a));
    this.arm();
    const r = this.vm.callFunction(fn, this.vm.undefined, ...hs.map((h) => h ?? this.vm.undefined));
    for (const h of hs) if (h && h.alive && !this.isStatic(h)) h.dispose();
    fn.dispose();
    const err = this.settle(r);
    if (err) this.o.onError?.(err);
  }

  dispose(): void {
    if (this.dead) return;
    this.dead = true;
    this.json?.dispose();
    this.vm.dispose();
    this.rt.dispose();
  }

  private guard(): void {
    if (this.dead) throw new Error('qjs-host: engine disposed');
    if (this.overCap) throw new Error('qjs-host: heap cap exceeded earlier');
  }

  private arm(): void {
    this.deadline = shouldInterruptAfterDeadline(Date.now() + (this.o.sliceMs ?? 5000)) as (rt: QuickJSRuntime) => boolean | undefined;
  }

  private settle(r: { error?: QuickJSHandle; value?: QuickJSHandle }): string | undefined {
    let err: string | undefined;
    if (r.error) {
      const e = this.vm.dump(r.error) as { name?: string; message?: string; stack?: string } | string;
      r.error.dispose();
      err = typeof e === 'object' && e ? `${e.name}: ${e.message}${e.stack ? `\n${e.stack}` : ''}` : String(e);
    } else r.value?.dispose();
    if (this.sample() && !err?.includes('heap cap')) err = this.capMessage() + (err ? `\n${err}` : '');
    return err;
  }

  private capMessage(): string {
    return `heap cap of ${this.o.heapBytes} bytes exceeded (grew ${this.peak - this.base} bytes over the loaded bundle)`;
  }

  private used(): number {
    return Number(/memory used\s+\d+\s+(\d+)/.exec(this.rt.dumpMemoryUsage())?.[1] ?? 0);
  }

  /** True once over the cap. */
  private sample(): boolean {
    if (this.dead) return false;
    const h = this.heap();
    if (h > this.peak) this.peak = h;
    if (!this.overCap && this.o.heapBytes !== undefined && this.base > 0 && h - this.base > this.o.heapBytes) {
      this.overCap = true;
      this.o.onError?.(this.capMessage());
    }
    return this.overCap;
  }

  private json?: QuickJSHandle;

  /** A value from the engine; strings NUL-safe. */
  private value(h: QuickJSHandle): unknown {
    const v = this.vm;
    if (v.typeof(h) !== 'string') return v.dump(h);
    if (!this.json) {
      const J = v.getProp(v.global, 'JSON');
      this.json = v.getProp(J, 'stringify');
      J.dispose();
    }
    const r = v.callFunction(this.json, v.undefined, h);
    if (r.error) {
      r.error.dispose();
      return v.getString(h);
    }
    const text = v.getString(r.value);
    r.value.dispose();
    return JSON.parse(text) as string;
  }

  private isStatic(h: QuickJSHandle): boolean {
    const v = this.vm;
    return h === v.undefined || h === v.null || h === v.true || h === v.false;
  }

  private handle(x: Prim): QuickJSHandle | undefined {
    const v = this.vm;
    if (x === undefined) return undefined;
    if (x === null) return v.null;
    if (typeof x === 'string') {
      if (!x.includes('\0')) return v.newString(x);
      const r = v.evalCode(JSON.stringify(x));
      if (r.error) {
        r.error.dispose();
        throw new Error('qjs-host: cannot pass a string');
      }
      return r.value;
    }
    if (typeof x === 'number') return v.newNumber(x);
    return x ? v.true : v.false;
  }
}
