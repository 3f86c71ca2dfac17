// Runs a board's BUILT firmware (bundle + boot line, as out/<board>/<app>.js holds it) inside QuickJS
// over plain-ES5 stand-ins of Espruino's globals, each bridged to the host (build/firmware/
// qjs-bridge.ts): require("net"/"tls") sockets are real node:net/node:tls sockets on the host,
// setTimeout/clearTimeout are host timers, Storage is in-engine memory preloaded with tinyiot.json,
// require("crypto").SHA256 is node:crypto, pins go to the host HAL's emulated io, and the board's
// modem UART (Serial2...) goes to a host Serial such as a FakeModem. Like Espruino, socket events
// are queued (never delivered inside the call that caused them) and write() on a closed socket throws.
// `tinyiot sim` runs a board's own build this way in QuickJS (sim-device.ts), and so do the tests.
import type { Board } from '../boards.js';
import { bootLine } from './entry.js';
import { GLOBAL } from './output.js';
import { bridge, type Bridge } from './qjs-bridge.js';
import { QjsHost } from './qjs-host.js';
import { eventsShim } from './qjs-shims.js';
import type { Serial } from '../../hal/at-modem/serial.js';
import type { Hal, Log } from '../../hal/types.js';

export function espruinoShim(b: Board, cfg: object): string {
  const serial = b.modem
    ? `var ${b.modem.serial} = { setup: function () {}, write: function (d) { __h_ser(d); }, on: function (e, f) { if (e == 'data') __serialRx = f; } };`
    : '';
  return `
var __store = { 'tinyiot.json': ${JSON.stringify(JSON.stringify(cfg))} };
function __espSocket(tls, o, cb) {
  var L = {}, dead = false, sock;
  // Espruino calls a socket's listeners with this = the socket.
  function emit(e, a) { __timer(function () { if (L[e]) L[e].call(sock, a); }, 0); }
  var id = __sock({
    open: function () { if (cb) __timer(function () { cb.call(sock); }, 0); emit('connect'); },
    data: function (s) { emit('data', s); },
    error: function (m) { emit('error', { code: -1, message: m }); },
    close: function () { dead = true; emit('end'); emit('close', false); }
  });
  __h_connect(id, JSON.stringify({ host: o.host, port: o.port, tls: tls, ca: o.ca, cert: o.cert, key: o.key }));
  sock = {
    on: function (e, f) { L[e] = f; },
    write: function (d) { if (dead) throw new Error('This socket is closed.'); __h_write(id, String(d)); return true; },
    end: function () { __h_close(id); }
  };
  return sock;
}
function require(m) {
  if (m == 'net') return { connect: function (o, cb) { return __espSocket(false, o, cb); } };
  if (m == 'tls') return { connect: function (o, cb) { return __espSocket(true, o, cb); } };
  if (m == 'Storage') return {
    read: function (n) { return __store[n]; },
    readJSON: function (n) { return __store[n] === undefined ? undefined : JSON.parse(__store[n]); },
    write: function (n, v) { __store[n] = String(v); return true; },
    erase: function (n) { delete __store[n]; },
    list: function () { var a = []; for (var k in __store) a.push(k); return a; }
  };
  if (m == 'crypto') return {
    SHA256: function (x) { return __u8(__h_sha256(typeof x == 'string' ? x : __str(new Uint8Array(x)))).buffer; }
  };
  if (m == 'Wifi') return { connect: function (s, o, cb) { __timer(function () { cb(null); }, 10); }, on: function () {} };
  throw new Error('Module ' + m + ' not found');
}
function getTime() { return Date.now() / 1000; }
function setTimeout(fn, ms) { return __timer(fn, ms); }
function clearTimeout(id) { __untimer(id); }
var E = { getTemperature: function () { return __h_io('s', 'temp'); } };
function digitalWrite(p, v) { __h_io('w', String(p), !!v); }
function digitalRead(p) { return __h_io('r', String(p)) ? 1 : 0; }
function analogRead(p) { return __h_io('s', String(p)); }
function print(s) { __h_print(String(s)); }
${serial}
`;
}

export interface BoardRun {
  host: QjsHost;
  bridge: Bridge;
  /** Heap growth over the loaded bundle, at its highest. */
  peak(): number;
  stop(): void;
}

export interface BoardRunOptions {
  /** The bundle from buildFirmware (without its boot line: it is appended here, as in <app>.js). */
  bundle: string;
  board: Board;
  cfg: object;
  /** Host side of timers, sockets, pins and log. */
  hal: Hal;
  serial?: Serial;
  onError?: (msg: string) => void;
  heapBytes?: number;
}

/** A console line of the firmware's log ("warn: ...", hal/espruino/log.ts) at its level; other lines at info. */
function printed(log: Log, line: string): void {
  const m = /^(debug|info|warn|error): /.exec(line);
  log[(m?.[1] ?? 'info') as keyof Log](m ? line.slice(m[0].length) : line);
}

export async function runBoardFirmware(o: BoardRunOptions): Promise<BoardRun> {
  const host = await QjsHost.create({ heapBytes: o.heapBytes ?? o.board.jsVars * o.board.blockSize, onError: o.onError });
  const br = bridge(host, { hal: o.hal, serial: o.serial, print: (s) => printed(o.hal.log, s) });
  host.eval(eventsShim + espruinoShim(o.board, o.cfg), 'espruino.js');
  host.eval(o.bundle, 'bundle.js');
  host.markBase();
  host.eval(bootLine(o.board, GLOBAL), 'boot.js');
  return {
    host,
    bridge: br,
    peak: () => host.peak - host.base,
    stop() {
      br.stop();
      host.dispose();
    },
  };
}
