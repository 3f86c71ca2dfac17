import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Abort, type Check, nextEvent, runChecks, summaryTable, verdict, within } from '../../../build/demo/checks.js';

const never = new Promise<never>(() => undefined);

describe('within', () => {
  it('passes the value through', async () => {
    await expect(within(Promise.resolve(7), 1000, 'x', new Abort())).resolves.toBe(7);
  });

  it('says what it waited for when time runs out', async () => {
    await expect(within(never, 20, 'the answer', new Abort())).rejects.toThrow('timed out after 0.02 s waiting for the answer');
  });

  it('ends at once with the abort reason, the first one given', async () => {
    const a = new Abort();
    const p = within(never, 60_000, 'x', a);
    a.fire('interrupted');
    a.fire('second reason');
    await expect(p).rejects.toThrow('interrupted');
    expect(a.reason).toBe('interrupted');
  });

  it('an abort nobody waits on is not an unhandled rejection', async () => {
    new Abort().fire('nobody listens');
    await new Promise((r) => setTimeout(r, 10));
  });
});

describe('nextEvent', () => {
  it('resolves with the first matching event and removes its listener', async () => {
    const em = new EventEmitter();
    const p = nextEvent<number>(em, 'n', (v) => v > 2, 1000, 'n > 2', new Abort());
    em.emit('n', 1);
    em.emit('n', 3);
    await expect(p).resolves.toBe(3);
    expect(em.listenerCount('n')).toBe(0);
  });

  it('removes its listener on timeout too', async () => {
    const em = new EventEmitter();
    await expect(nextEvent(em, 'n', () => true, 10, 'n', new Abort())).rejects.toThrow('timed out');
    expect(em.listenerCount('n')).toBe(0);
  });
});

describe('runChecks', () => {
  it('stops at the first failure and marks the rest not run', async () => {
    const ran: string[] = [];
    const step = (name: string, fail?: string) => ({
      name,
      run: async () => {
        ran.push(name);
        if (fail) throw new Error(fail);
        return `${name} ok`;
      },
    });
    const seen: string[] = [];
    const c = await runChecks([step('a'), step('b', 'boom'), step('c')], (x) => seen.push(x.name));
    expect(ran).toEqual(['a', 'b']);
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(c).toEqual([
      { name: 'a', ok: true, detail: 'a ok' },
      { name: 'b', ok: false, detail: 'boom' },
      { name: 'c', detail: 'not run' },
    ]);
  });
});

describe('summaryTable and verdict', () => {
  it('marks each check and reads lazy details when printed', () => {
    let n = 3;
    const checks: Check[] = [
      { name: 'connected', ok: true, detail: 'yes' },
      { name: 'telemetry', ok: true, detail: () => `${n} messages` },
    ];
    n = 5;
    expect(summaryTable(checks)).toBe('  ✓ connected  yes\n  ✓ telemetry  5 messages');
    expect(verdict(checks)).toEqual({ ok: true, line: 'demo OK: all 2 checks passed' });
  });

  it('names the failed step and why', () => {
    const checks: Check[] = [
      { name: 'a', ok: true, detail: '' },
      { name: 'bb', ok: false, detail: 'timed out after 10 s waiting for x' },
      { name: 'c', detail: 'not run' },
    ];
    expect(summaryTable(checks)).toBe('  ✓ a   \n  ✗ bb  timed out after 10 s waiting for x\n  - c   not run');
    expect(verdict(checks)).toEqual({ ok: false, line: "demo FAILED at 'bb': timed out after 10 s waiting for x" });
  });

  it('is not OK when a check did not run', () => {
    expect(verdict([{ name: 'a', detail: 'not run' }]).ok).toBe(false);
  });
});
