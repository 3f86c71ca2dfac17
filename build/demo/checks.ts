// The demo's checks: steps run in order, each bounded in time and cut short by Ctrl-C or a firmware
// crash; the first failure ends the run, so a later step never waits on a device that is gone.
import type { EventEmitter } from 'node:events';

export interface Step {
  name: string;
  /** Resolves with the summary's detail (a function when it changes until the summary is printed). */
  run(): Promise<string | (() => string)>;
}

export interface Check {
  name: string;
  /** undefined: not run because an earlier step failed. */
  ok?: boolean;
  detail: string | (() => string);
}

/** Ends every pending wait at once, with the reason given first. */
export class Abort {
  reason?: string;
  private fail!: (e: Error) => void;
  readonly promise = new Promise<never>((_, fail) => (this.fail = fail));

  constructor() {
    this.promise.catch(() => undefined); // only the waits listen; an unused abort is not an error
  }

  fire(reason: string): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.fail(new Error(reason));
  }
}

/** `p`, or an Error saying what was awaited when `ms` pass first, or the abort's reason. */
export function within<T>(p: Promise<T>, ms: number, what: string, abort: Abort): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, fail) => {
    t = setTimeout(() => fail(new Error(`timed out after ${ms / 1000} s waiting for ${what}`)), ms);
  });
  return Promise.race([p, late, abort.promise]).finally(() => clearTimeout(t));
}

/** The next `event` on `em` whose argument passes `test`, bounded as `within`. */
export function nextEvent<T>(em: EventEmitter, event: string, test: (e: T) => boolean, ms: number, what: string, abort: Abort): Promise<T> {
  let on: ((e: T) => void) | undefined;
  const hit = new Promise<T>((ok) => {
    on = (e: T) => {
      if (test(e)) ok(e);
    };
    em.on(event, on);
  });
  return within(hit, ms, what, abort).finally(() => em.off(event, on!));
}

export async function runChecks(steps: Step[], onDone?: (c: Check) => void): Promise<Check[]> {
  const done: Check[] = [];
  let failed = false;
  for (const s of steps) {
    let c: Check;
    if (failed) c = { name: s.name, detail: 'not run' };
    else {
      try {
        c = { name: s.name, ok: true, detail: await s.run() };
      } catch (e) {
        failed = true;
        c = { name: s.name, ok: false, detail: (e as Error).message };
      }
    }
    done.push(c);
    onDone?.(c);
  }
  return done;
}

const text = (d: Check['detail']) => (typeof d === 'function' ? d() : d);

/** One row per check: ✓ passed, ✗ failed, - not run. */
export function summaryTable(checks: Check[]): string {
  const w = Math.max(...checks.map((c) => c.name.length));
  return checks.map((c) => `  ${c.ok ? '✓' : c.ok === false ? '✗' : '-'} ${c.name.padEnd(w)}  ${text(c.detail)}`).join('\n');
}

/** The last line: which step failed and why, or that all passed. */
export function verdict(checks: Check[]): { ok: boolean; line: string } {
  const bad = checks.find((c) => c.ok === false);
  if (bad) return { ok: false, line: `demo FAILED at '${bad.name}': ${text(bad.detail)}` };
  const passed = checks.filter((c) => c.ok).length;
  if (passed < checks.length) return { ok: false, line: `demo INCOMPLETE: ${passed} of ${checks.length} checks ran` };
  return { ok: true, line: `demo OK: all ${checks.length} checks passed` };
}
