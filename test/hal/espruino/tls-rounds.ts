// A program for Espruino's interpreter that drives the bundled Espruino transport (global X) through
// rounds of: a TLS connect that fails its handshake, then one that succeeds and echoes bytes. Like
// an app, it keeps data across reconnects (the last messages it received, in fixed slots so their
// count stays the same). After a warm-up round and after every round it prints the blocks in use
// (process.memory().usage, which garbage-collects first), from a timer with no socket's scope
// alive. Lines it prints start with "@@".
import type { EspruinoOptions, EspruinoRun } from '../../../build/espruino/process.js';

export interface RoundsOptions {
  /** The bundle defining X.espruinoTransport. */
  bundle: string;
  binary: string;
  run: (o: EspruinoOptions) => Promise<EspruinoRun>;
  /** Port of a TLS server whose handshake fails, and of a TLS echo server that works. */
  bad: number;
  good: number;
  /** PEM the transport is given as the CA. */
  ca: string;
  rounds: number;
  /** Hand the transport E.defrag (default true); false shows what happens without it. */
  defrag?: boolean;
  timeoutMs?: number;
}

export interface Round {
  n: number;
  /** Blocks in use after the round. */
  usage: number;
  /** The good connect echoed its bytes. */
  echoed: boolean;
  /** How the failed connect ended (its onClose reason). */
  bad: string;
}

export interface RoundsResult {
  /** Blocks in use after the warm-up round. */
  baseline: number;
  rounds: Round[];
  /** Failed good connects, transport errors logged, uncaught errors other than mbedTLS's own. */
  errors: string[];
  lines: string[];
}

const KEPT = 24; // messages the "app" keeps

function program(o: RoundsOptions): string {
  const E = o.defrag === false ? '{toString: function (x) { return E.toString(x); }, toUint8Array: function (x) { return E.toUint8Array(x); }}' : 'E';
  return `
var env = {require: require, getTime: getTime, setTimeout: setTimeout, clearTimeout: clearTimeout, print: print, E: ${E}};
function say(l) { print('@@' + l); }
var quiet = function () {};
var t = X.espruinoTransport(env, {debug: quiet, info: quiet, warn: quiet, error: function (m) { say('ERR log ' + m); }});
var CA = ${JSON.stringify(o.ca)};
var kept = [], seq = 0, n = 0, echoed = 0, bad = '';
for (var i = 0; i < ${KEPT}; i++) kept.push({seq: 0, text: 'ping 000000'});
function dial(port, done) {
  var got = '', s, want = 'ping ' + (1000000 + seq++).toString().slice(1);
  s = t.connect({host: '127.0.0.1', port: port, tls: true, ca: CA}, {
    onOpen: function () { s.write(E.toUint8Array(want)); },
    onData: function (d) {
      got += E.toString(d);
      if (got != want) return;
      kept[seq % ${KEPT}] = {seq: seq, text: got};
      s.close();
    },
    onError: quiet,
    onClose: function (why) { setTimeout(function () { done(why, got == want); }, 10); }
  });
}
function base() { say('BASE ' + process.memory().usage); n = 0; round(); }
function report() { say('ROUND ' + n + ' ' + process.memory().usage + ' ' + echoed + ' ' + bad); round(); }
function round() {
  if (n == ${o.rounds}) return say('END');
  n++;
  dial(${o.bad}, function (why) {
    bad = why;
    dial(${o.good}, function (why2, ok) {
      echoed = ok ? 1 : 0;
      if (!ok) say('ERR round ' + n + ': ' + why2);
      setTimeout(n < 0 ? base : report, 10);
    });
  });
}
// The warm-up round (n = -1) makes what Espruino creates once, on first use (the error objects of
// a failed connect, prototypes), before the baseline is taken.
n = -2;
round();
`;
}

export async function tlsRounds(o: RoundsOptions): Promise<RoundsResult> {
  const lines: string[] = [];
  const res: RoundsResult = { baseline: -1, rounds: [], errors: [], lines };
  let end!: () => void;
  const ended = new Promise<void>((r) => (end = r));
  const r = await o.run({
    binary: o.binary,
    storage: { tlsrounds: `${o.bundle}\n${program(o)}` },
    boot: 'eval(require("Storage").read("tlsrounds"));',
    onLine: (l) => {
      lines.push(l);
      const at = l.indexOf('@@');
      // mbedTLS's handshake error surfaces as an uncaught error from the idle loop (docs/tls.md).
      if (at < 0) return void (/Uncaught|Error/.test(l) && !/mbedtls_ssl_handshake|^Uncaught undefined/.test(l) && res.errors.push(l));
      const [kind, ...rest] = l.slice(at + 2).split(' ');
      if (kind === 'BASE') res.baseline = Number(rest[0]);
      else if (kind === 'ROUND') res.rounds.push({ n: +rest[0]!, usage: +rest[1]!, echoed: rest[2] === '1', bad: rest.slice(3).join(' ') });
      else if (kind === 'ERR') res.errors.push(rest.join(' '));
      else if (kind === 'END') end();
    },
  });
  const timeout = new Promise<void>((_, fail) => setTimeout(() => fail(new Error(`no END within ${o.timeoutMs ?? 60_000} ms:\n${lines.join('\n')}`)), o.timeoutMs ?? 60_000).unref());
  try {
    await Promise.race([ended, r.exited.then(() => undefined), timeout]);
  } finally {
    await r.stop();
  }
  return res;
}
