// Runs AT commands one at a time: the modem answers one command before it takes the next
// ("busy p..." otherwise), so commands wait in a queue. Unsolicited lines are the caller's business.
import type { Clock, TimerId } from '../types.js';
import type { Serial } from './serial.js';

export interface Cmd {
  /** Command line, without CR/LF. */
  c: string;
  /** Payload for the modem's data mode, written after its prompt ("> " or BG96's "CONNECT"). */
  p?: string;
  /** Prefix of the success line (e.g. "SEND OK", "+QSSLOPEN:"); when set, a plain OK is not the end. */
  f?: string;
  /** Timeout in ms (default: the runner's). */
  t?: number;
  /** Owner, for drop(). */
  s?: unknown;
  /** Called once when the command comes up, before it is written: may set c and p then, so a send
   * takes whatever bytes wait at that moment (see transport.ts). Gets the command itself, so the
   * hook need not close over it (a cycle that only a cycle collector would free). */
  b?(x: Cmd): void;
  /** Error text, or the result: the success line when f is set, else the last line before OK. */
  cb(e: string | undefined, l: string): void;
}

export interface At {
  /** Queues a command; front puts it before the queued ones (not before the one running). */
  cmd(x: Cmd, front?: boolean): void;
  line(l: string): void;
  prompt(): void;
  /** Forgets the queued commands of owner s; the running one still finishes. */
  drop(s: unknown): void;
  /** The modem rebooted: nothing queued or running will be answered. */
  reset(): void;
}

/** "busy p..." means the modem dropped the command: send it again later, a bounded number of times. */
const BUSY_TRIES = 8;
const BUSY_MS = 250;

export function createAt(serial: Serial, clock: Clock, ms: number): At {
  let q: Cmd[] = [];
  let c: Cmd | undefined;
  let ph = 0; // 0 while a payload waits for its prompt, then 1
  let last = '';
  let tries = 0;
  let tm: TimerId | undefined;

  const stop = () => {
    if (tm !== undefined) clock.clearTimer(tm);
    tm = undefined;
  };
  // A fired timer is forgotten at once: Espruino's clearTimeout throws on an id that already fired.
  const arm = (t: number, fn: () => void) => {
    stop();
    tm = clock.setTimer(t, () => {
      tm = undefined;
      fn();
    });
  };
  const go = () => {
    const x = c!;
    ph = x.p ? 0 : 1;
    last = '';
    serial.write(x.c + '\r\n');
    arm(x.t || ms, () => end(x.c + ': timeout', ''));
  };
  const next = () => {
    if (!c && q.length) {
      c = q.shift()!;
      tries = 0;
      if (c.b) c.b(c);
      go();
    }
  };
  // c stays set during the callback so commands it queues in front keep their order.
  const end = (e: string | undefined, l: string) => {
    const x = c!;
    stop();
    x.cb(e, l);
    if (c === x) c = undefined;
    next();
  };
  const prompt = () => {
    if (c && c.p && !ph) {
      ph = 1;
      serial.write(c.p);
    }
  };

  return {
    cmd(x, front) {
      if (front) q.unshift(x);
      else q.push(x);
      next();
    },
    line(l) {
      const x = c;
      if (!x) return;
      if (l.slice(0, 4) == 'busy') {
        // Once the payload is in, "busy s..." only says the modem is still sending it.
        if (!(x.p && ph)) {
          if (++tries > BUSY_TRIES) end(x.c + ': busy', l);
          else arm(BUSY_MS, go);
        }
        return;
      }
      if (l == 'ERROR' || l == 'FAIL' || l == 'SEND FAIL' || l.indexOf('+CME ERROR') == 0) {
        end(x.c + ': ' + (last ? last + ', ' : '') + l, l);
        return;
      }
      if (x.p && !ph && l == 'CONNECT') return prompt();
      if (x.f ? l.indexOf(x.f) == 0 : l == 'OK') {
        if (ph) end(undefined, x.f ? l : last);
        return;
      }
      last = l;
    },
    prompt,
    drop(s) {
      q = q.filter((x) => x.s !== s);
    },
    reset() {
      q = [];
      c = undefined;
      stop();
    },
  };
}
