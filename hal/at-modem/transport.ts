// A Transport over an AT modem that runs TCP and TLS itself (TLS offload): the board only moves
// plaintext over the UART. One link at a time; a profile (esp8266.ts, bg96.ts) knows the commands.
// Memory: writes wait as one byte string, capped by maxQueued, and one send command at a time takes
// what waits, so a burst costs its bytes, not a command object and closures per write.
import type { Clock, ConnectOptions, Log, Socket, SocketHandlers, Transport } from '../types.js';
import { createAt } from './at.js';
import { createParser } from './parser.js';
import type { Serial } from './serial.js';
import { byteStringOf, bytesOf } from '../../firmware/mqtt/codec/utf8.js';

/** One command of a connect sequence. */
export interface Step {
  c: string;
  p?: string;
  f?: string;
  /** Optional: a failure does not fail the connect (a command older firmware lacks). */
  o?: 1;
  /** Checks the result (see Cmd.cb) and returns an error, if any. */
  v?(l: string): string | void;
  /** On "ALREADY CONNECTED": close the stale link and try once more. */
  r?: 1;
}

/** How one connection talks, made by a profile for given options. */
export interface Link {
  /** Setup commands; the last one opens the link. */
  steps: Step[];
  /** Most bytes one send command takes. */
  max: number;
  send(n: number): string;
  close: string;
  /** Classifies an unsolicited line: 1 = data waiting to be read, 2 = link gone, 0 = neither. */
  urc(l: string): number;
  /** Command that fetches waiting data (BG96); unset when data arrive unasked (ESP8266 +IPD). */
  read?: string;
  /** Start of the line that precedes fetched data and gives its length. */
  hdr?: string;
}

export interface Profile {
  /** The line a modem prints when it (re)boots. */
  rdy: string;
  /** files: name -> content already uploaded to the modem by this transport. */
  link(o: ConnectOptions, log: Log, files: Record<string, string>): Link;
}

export interface AtOptions {
  /** Per command; opening a link may take 6 times this. Default 10 s. */
  timeoutMs?: number;
  log?: Log;
  /**
   * Bytes written but not yet handed to the modem, at most (default 4096); the chunk being sent
   * (at most Link.max) comes on top. A write that would pass it ends the socket with an error
   * instead of growing the heap: the MQTT client keeps unacknowledged QoS 1 messages and sends
   * them again once it has reconnected (QoS 0 ones may be lost, as QoS 0 allows). One write is
   * always taken when nothing waits, whatever its size.
   */
  maxQueued?: number;
}

interface Sk {
  h: SocketHandlers;
  k?: Link;
  /** 0 opening, 1 open, 2 dead */
  st: number;
  /** a read is under way */
  rd?: number;
  /** the peer closed; finish once waiting data are read */
  cl?: number;
  /** bytes written, not yet in a send command: one byte string, however many writes made it */
  w: string;
  /** a send command is queued or running */
  sq?: number;
}

const nop = () => {};
const quiet: Log = { debug: nop, info: nop, warn: nop, error: nop };

// The UART carries byte strings; the Transport contract, Uint8Array. The codec's converters do it
// natively where the platform can (hal.utf8 on Espruino): a JS loop costs the interpreter tens of
// thousands of instructions per byte (bytesOf, byteStringOf).

export function atTransport(serial: Serial, clock: Clock, pr: Profile, opts?: AtOptions): Transport {
  const ms = (opts && opts.timeoutMs) || 10000;
  const log = (opts && opts.log) || quiet;
  const max = (opts && opts.maxQueued) || 4096;
  const files: Record<string, string> = {};
  const at = createAt(serial, clock, ms);
  let sk: Sk | undefined;
  let lk: Link | undefined; // the newest link; its headers are parsed even after its socket died

  // later: the handlers run on a timer, for calls from the socket's user (who must not be re-entered).
  const fin = (s: Sk, e: string, why: string, dead?: number, later?: number) => {
    if (s.st > 1) return;
    s.st = 2;
    s.w = '';
    at.drop(s);
    if (!dead && s.k) at.cmd({ c: s.k.close, cb: nop });
    const f = () => {
      if (e) s.h.onError(e);
      s.h.onClose(e || why);
    };
    later ? clock.setTimer(0, f) : f();
  };

  // One send command at a time per socket; it takes up to Link.max of the waiting bytes only when
  // it comes up, so writes made meanwhile ride along instead of each queueing a command.
  const send = (s: Sk) => {
    const k = s.k!;
    s.sq = 1;
    at.cmd({
      c: '',
      f: 'SEND OK',
      s,
      b(x) {
        const p = s.w.slice(0, k.max);
        s.w = s.w.slice(p.length);
        x.c = k.send(p.length);
        x.p = p;
      },
      cb(e) {
        if (s.st > 1) return;
        if (e) fin(s, e, '');
        else if (s.w) send(s);
        else s.sq = 0;
      },
    });
  };

  const run = (s: Sk, p: Step, ok?: (l: string) => void, t?: number, front?: boolean) =>
    at.cmd(
      {
        c: p.c,
        p: p.p,
        f: p.f,
        t,
        s,
        cb(e, l) {
          if (s.st > 1) return;
          if (!e && p.v) e = p.v(l) || undefined;
          if (e && p.r && e.indexOf('ALREADY') >= 0) {
            p.r = undefined;
            run(s, p, ok, t, true);
            at.cmd({ c: s.k!.close, s, cb: nop }, true);
          } else if (e && !p.o) fin(s, e, '');
          else if (ok) ok(l);
        },
      },
      front,
    );

  const read = (s: Sk) => {
    const k = s.k!;
    s.rd = 1;
    run(s, { c: k.read! }, (l) => {
      if (+l.slice(k.hdr!.length) > 0) read(s);
      else {
        s.rd = 0;
        if (s.cl) fin(s, '', 'closed by peer');
      }
    });
  };

  serial.onData(
    createParser({
      line(l) {
        const s = sk;
        if (l == pr.rdy) {
          at.reset();
          if (s) fin(s, 'modem reset', '', 1);
          return;
        }
        const u = lk ? lk.urc(l) : 0;
        if (u) {
          if (s && s.st == 1) {
            if (u == 2) s.cl = 1;
            if (!s.rd) u == 1 ? read(s) : fin(s, '', 'closed by peer');
          }
          return;
        }
        at.line(l);
        if (lk && lk.hdr && l.indexOf(lk.hdr) == 0) return +l.slice(lk.hdr.length);
      },
      prompt: at.prompt,
      data(d) {
        if (sk && sk.st == 1) sk.h.onData(bytesOf(d));
      },
    }),
  );

  return {
    connect(o, h): Socket {
      if (sk) fin(sk, '', 'replaced by a new connection'); // the modem holds one link
      const s: Sk = { h, st: 0, w: '' };
      sk = s;
      // A quote or newline would end the AT command early and let the rest run as another.
      if (/["\r\n]/.test(o.host + (o.servername || ''))) fin(s, 'bad host name', '', 1, 1);
      else {
        if (o.tls && !o.ca) log.warn('at-modem: TLS server certificate is NOT verified (no CA given)');
        const k = (lk = s.k = pr.link(o, log, files));
        const n = k.steps.length;
        k.steps.forEach((p, i) =>
          i < n - 1
            ? run(s, p)
            : run(
                s,
                p,
                () => {
                  s.st = 1;
                  h.onOpen();
                },
                6 * ms,
              ),
        );
      }
      return {
        write(b) {
          if (s.st > 1 || s.cl || !b.length) return;
          // Checked before the bytes are copied, so the heap never holds more than the bound.
          if (s.w && s.w.length + b.length > max) return fin(s, 'at-modem: send buffer full', '', 0, 1);
          s.w += byteStringOf(b);
          if (!s.sq) send(s);
        },
        close() {
          fin(s, '', 'closed');
        },
      };
    },
  };
}
