// A scripted AT modem for tests, seen from the board: it implements the board's Serial, speaks the
// ESP8266 or BG96 command set (fake-modem-esp8266.ts, fake-modem-bg96.ts) and opens its links through
// a Dialer (fake-modem-dial.ts): an in-memory peer or real node:net/node:tls sockets. It is strict
// where a real modem is unforgiving: bytes sent while it is still answering, a payload before the
// prompt, a wrong payload length, an unknown command are recorded in `violations` (and answered the
// way a modem would: "busy p...", ERROR, or swallowed into the next command).
// Output is delivered on the given clock after `latency` ms, cut into seeded random reads (`split`)
// or coalesced (`merge`), so a board-side parser meets every split point.
import type { Serial } from '../at-modem/serial.js';
import type { Clock, TimerId } from '../types.js';
import { seeded } from './random.js';

/** What the modem asks its network for. tls links carry plaintext here: the modem runs TLS. */
export interface DialRequest {
  host: string;
  port: number;
  tls: boolean;
  /** Check the server certificate against `ca`. */
  verify: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
}

export interface RemoteEvents {
  open(): void;
  /** Byte string. */
  data(d: string): void;
  close(): void;
  error(msg: string): void;
}

export interface Remote {
  write(d: string): void;
  end(): void;
}

/** Events may fire during the call (an in-memory peer) or later (a socket). */
export type Dialer = (r: DialRequest, ev: RemoteEvents) => Remote;

export interface FakeModemOptions {
  clock: Clock;
  dial: Dialer;
  /** Delay of every output, in ms of `clock`. Default 1. */
  latency?: number;
  /** Cut each delivery into random reads of 1..split bytes (0 = whole). */
  split?: number;
  /** Coalesce everything queued by delivery time into one delivery. */
  merge?: boolean;
  seed?: number;
  /** ESP8266: largest +IPD frame (default 1460); bigger receptions come in several frames. */
  ipdMax?: number;
  /** ESP8266: certificates "flashed" into the module (the AT command set cannot load them). */
  flash?: { ca?: string; cert?: string; key?: string };
  /** Sees every byte: 'in' from the board, 'out' to it (for debugging a test). */
  trace?: (dir: 'in' | 'out', s: string) => void;
}

/** What a command set sees of the modem. */
export interface ModemApi {
  readonly opts: FakeModemOptions;
  echo: boolean;
  /** Files of the modem's flash file system; they survive a reset. */
  readonly files: Map<string, string>;
  /** Unsolicited output, or part of an answer. */
  out(text: string): void;
  /** The end of an answer: the modem takes the next command once the host has it. */
  done(text: string): void;
  /** Emits the prompt, then takes exactly n raw bytes once the host has the prompt. */
  data(prompt: string, n: number, fn: (payload: string) => void): void;
  bad(msg: string): void;
}

export interface Engine {
  /** Printed at power-up (the board sees it as "the modem reset"). */
  boot: string;
  handle(cmd: string): void;
  reset(): void;
  /** Leaves a link open as if from before the board's last restart. */
  stale(): void;
}

export const OK = '\r\nOK\r\n';
export const ERR = '\r\nERROR\r\n';

interface Msg {
  t: string;
  /** Runs just before byte `at` - 1 of t (default: its last byte) reaches the host. */
  a?: () => void;
  at?: number;
}

export class FakeModem implements Serial, ModemApi {
  readonly opts: FakeModemOptions;
  readonly violations: string[] = [];
  /** Every command line received, in order. */
  readonly commands: string[] = [];
  readonly files = new Map<string, string>();
  echo = true;
  private engine: Engine;
  private fn: ((s: string) => void) | undefined;
  private rnd: () => number;
  private inp = '';
  private busy = false;
  private need = 0;
  private payload = '';
  private onPayload: ((p: string) => void) | undefined;
  private q: Msg[] = [];
  private timer: TimerId | undefined;
  private knobs: { kind: 'busy' | 'error' | 'mute'; prefix: string }[] = [];

  constructor(opts: FakeModemOptions, engine: (m: ModemApi) => Engine) {
    this.opts = opts;
    this.rnd = seeded(opts.seed ?? 1);
    this.engine = engine(this);
  }

  // ---- Serial, from the board's side

  onData(fn: (s: string) => void): void {
    this.fn = fn;
  }

  write(s: string): void {
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) > 255) this.bad('write: not a byte string');
    }
    this.opts.trace?.('in', s);
    this.inp += s;
    this.take();
  }

  // ---- knobs

  /** Answer the next command starting with prefix with "busy p..." and drop it. */
  busyNext(prefix = 'AT', times = 1): void {
    for (let i = 0; i < times; i++) this.knobs.push({ kind: 'busy', prefix });
  }

  /** Answer the next command starting with prefix with ERROR. */
  failNext(prefix: string): void {
    this.knobs.push({ kind: 'error', prefix });
  }

  /** Never answer the next command starting with prefix (it is lost). */
  muteNext(prefix: string): void {
    this.knobs.push({ kind: 'mute', prefix });
  }

  /** Power-cycles the modem: links drop, settings go, files stay, the boot banner follows. */
  reset(): void {
    this.q = [];
    if (this.timer !== undefined) this.opts.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.inp = '';
    this.busy = false;
    this.need = 0;
    this.onPayload = undefined;
    this.echo = true;
    this.engine.reset();
    this.out(this.engine.boot);
  }

  stale(): void {
    this.engine.stale();
  }

  // ---- ModemApi

  out(text: string, a?: () => void, at?: number): void {
    this.q.push({ t: text, a, at });
    if (this.timer === undefined) this.timer = this.opts.clock.setTimer(this.opts.latency ?? 1, () => this.flush());
  }

  done(text: string): void {
    this.out(text, () => {
      this.busy = false;
    });
  }

  data(prompt: string, n: number, fn: (payload: string) => void): void {
    const gt = prompt.indexOf('>');
    this.out(
      prompt,
      () => {
        this.busy = false;
        this.need = n;
        this.payload = '';
        this.onPayload = fn;
      },
      // A modem takes data as soon as it has printed ">"; the space after it may come later.
      gt >= 0 ? gt + 1 : prompt.length,
    );
  }

  bad(msg: string): void {
    this.violations.push(msg);
  }

  // ---- input

  private take(): void {
    while (this.inp) {
      if (this.need > 0) {
        const d = this.inp.slice(0, this.need);
        this.inp = this.inp.slice(d.length);
        this.payload += d;
        this.need -= d.length;
        if (this.need > 0) return;
        const fn = this.onPayload!;
        this.onPayload = undefined;
        this.busy = true;
        fn(this.payload);
        continue;
      }
      if (this.busy) {
        // A real modem drops input while it works on a command; a correct host never sends any.
        this.bad('input while busy: ' + JSON.stringify(this.inp.slice(0, 60)));
        this.inp = '';
        this.out('\r\nbusy p...\r\n');
        return;
      }
      const e = this.inp.indexOf('\r\n');
      if (e < 0) {
        if (this.inp.length > 4096) {
          this.bad('no line end in 4 KB of input');
          this.inp = '';
        }
        return;
      }
      const line = this.inp.slice(0, e);
      this.inp = this.inp.slice(e + 2);
      this.command(line);
    }
  }

  private command(line: string): void {
    this.commands.push(line);
    this.busy = true;
    if (this.echo) this.out(line + '\r\r\n');
    const k = this.knobs.findIndex((x) => line.startsWith(x.prefix));
    if (k >= 0) {
      const kind = this.knobs[k]!.kind;
      this.knobs.splice(k, 1);
      if (kind === 'busy') return this.done('\r\nbusy p...\r\n');
      if (kind === 'error') return this.done(ERR);
      this.busy = false;
      return;
    }
    if (!/^AT/.test(line)) {
      this.bad('not a command: ' + JSON.stringify(line.slice(0, 60)));
      return this.done(ERR);
    }
    // AT and ATE0/ATE1 mean the same on every modem we fake; the profile handles the rest.
    if (line === 'AT') return this.done(OK);
    const e = /^ATE([01])$/.exec(line);
    if (e) {
      this.echo = e[1] === '1';
      return this.done(OK);
    }
    this.engine.handle(line);
  }

  // ---- output

  private flush(): void {
    this.timer = undefined;
    const q = this.q;
    this.q = [];
    const groups = this.opts.merge ? [q] : q.map((m) => [m]);
    for (const g of groups) {
      let all = '';
      const acts: { end: number; a: () => void }[] = [];
      for (const m of g) {
        if (m.a) acts.push({ end: all.length + (m.at ?? m.t.length), a: m.a });
        all += m.t;
      }
      let at = 0;
      while (at < all.length || acts.length) {
        const n = this.opts.split ? 1 + Math.floor(this.rnd() * this.opts.split) : all.length;
        const end = Math.min(all.length, at + Math.max(1, n));
        while (acts.length && acts[0]!.end <= end) acts.shift()!.a();
        if (end > at) {
          const chunk = all.slice(at, end);
          this.opts.trace?.('out', chunk);
          this.fn?.(chunk);
        }
        at = end;
        if (at >= all.length && !acts.length) break;
      }
    }
  }
}
