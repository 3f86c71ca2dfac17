// Plain-ES5 stand-ins for what a board gives the firmware, for the build's start-up check: just
// enough for the bundle to load and main() to start. Nothing ever happens afterwards: sockets never
// connect, timers never fire. A serial port (a modem's UART, a gateway link) takes writes and never answers. Storage.readJSON("tinyiot.json") returns the config under test.
import type { Board } from '../boards.js';

/** Espruino's globals as the boot line (entry.ts bootLine) reads them. */
export function espruinoStub(b: Board, cfg: object): string {
  const port = b.modem?.serial ?? b.gatewayLink?.serial;
  const serial = port ? `var ${port} = { setup: function () {}, write: function () {}, on: function () {} };\n` : '';
  return `
var __cfg = ${JSON.stringify(cfg)};
function __socket() { return { on: function () {}, write: function () {}, end: function () {} }; }
function require(m) {
  if (m == 'net' || m == 'tls') return { connect: function () { return __socket(); } };
  if (m == 'Storage') return {
    read: function () {}, readJSON: function (f) { return f == 'tinyiot.json' ? __cfg : undefined; },
    write: function () { return true; }, erase: function () {}, list: function () { return []; }
  };
  if (m == 'crypto') return { SHA256: function () { return new Uint8Array(32).buffer; } };
  if (m == 'Wifi') return { connect: function () {}, on: function () {} };
  throw new Error('Module ' + m + ' not found');
}
function getTime() { return 1.7e9; }
var __timers = 0;
function setTimeout() { return ++__timers; }
function clearTimeout() {}
var E = { getTemperature: function () { return 21.5; } };
function digitalWrite() {}
function digitalRead() { return 0; }
function analogRead() { return 0.5; }
${serial}`;
}

/** A HAL object for the simulator's bundle (hal "emulated"), created as __hal. */
export function halStub(cfg: object): string {
  return `
var __cfg = ${JSON.stringify(cfg)};
var __n = 0;
var __hal = {
  clock: { now: function () { return 0; }, time: function () { return 1.7e9; },
    setTimer: function () { return ++__n; }, clearTimer: function () {} },
  transport: { connect: function () { return { write: function () {}, close: function () {} }; } },
  storage: { read: function () {}, write: function () {}, erase: function () {} },
  crypto: { hmacSha256: function () { return new Uint8Array(32); } },
  log: { debug: function () {}, info: function (m) { print('info: ' + m); }, warn: function (m) { print('warn: ' + m); },
    error: function (m) { print('error: ' + m); } },
  io: { write: function () {}, read: function () { return false; }, sense: function () { return 21.5; } },
  random: function () { return 0.5; }
};
`;
}

/**
 * On Espruino's own interpreter, what the host cannot give a board: sockets that never connect, a
 * Wifi module that never joins, pins and a modem UART that do nothing. Everything else (Storage,
 * crypto, timers, E, getTime) is the interpreter's own. Espruino's native globals cannot be
 * assigned, so these shadow them as parameters of the function the boot line runs in:
 * espruinoStandIns(b).params names them, .args gives their values.
 */
export function espruinoStandIns(b: Board): { setup: string; params: string[]; args: string[] } {
  // A modem's UART, or the serial link to tinyiot gateway.
  const port = b.modem?.serial ?? b.gatewayLink?.serial;
  const params = ['require', 'digitalWrite', 'digitalRead', 'analogRead', ...(port ? [port] : [])];
  const setup = `
var __standIns = (function (req) {
  function nop() {}
  function socket() { return { on: nop, write: nop, end: nop }; }
  var net = { connect: function () { return socket(); } };
  return {
    require: function (m) { return m == 'net' || m == 'tls' ? net : m == 'Wifi' ? { connect: nop, on: nop } : req(m); },
    digitalWrite: nop, digitalRead: function () { return 0; }, analogRead: function () { return 0.5; },
    serial: { setup: nop, write: nop, on: nop }
  };
})(require);
`;
  const args = ['__standIns.require', '__standIns.digitalWrite', '__standIns.digitalRead', '__standIns.analogRead', ...(port ? ['__standIns.serial'] : [])];
  return { setup, params, args };
}
