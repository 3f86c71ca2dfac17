// The ES5 programs the Espruino benchmark runs, as text. Output the host parses is framed: every
// such line carries FRAME, so the banner, prompts and the firmware's own log never confuse it.
//
// Memory programs define everything they need at the top level (so it is in the baseline) and
// then wait; the host types each step at the console as a root-level statement: the load (as a
// board evaluates its Storage code), go() (connect and subscribe), and mem(tag) to sample. The
// REPL line costs the same few blocks at every sample, so it cancels in the differences.
//
// Instruction programs run one operation N times inside `[0].reduce(loop, 0)`: the interpreter's
// Array.prototype.reduce (C function jswrap_array_reduce) is entered only there, so callgrind
// counts with --toggle-collect on it cover the loop and nothing else. They run each client's code
// from a copy in RAM: on Linux, Storage is a file and code executed from it is read through
// fseek/fread (a third to a half of the instructions counted), where a board maps its flash into
// memory.

export const FRAME = 'BENCH|';

/** The C function entered only around the measured loop. */
export const TOGGLE = 'jswrap_array_reduce';

/** The 57-byte QoS 0 PUBLISH every client encodes and decodes: 2 + 2 + 33 + 20 bytes. */
export const TOPIC = 'devices/bench-42/messages/events/';
export const PAYLOAD = '{"t":21.5,"n":12345}';

/** The packet as the MQTT 3.1.1 spec lays it out (no DUP, QoS 0, no RETAIN). */
export function expectedPublish(): Uint8Array {
  const body = Buffer.from(TOPIC.length.toString(16).padStart(4, '0') + Buffer.from(TOPIC + PAYLOAD).toString('hex'), 'hex');
  return Uint8Array.from([0x30, body.length, ...body]);
}

const q = (s: string) => JSON.stringify(s);

/** Top of every memory program: the sampler, a timer that keeps the interpreter running, a ready line. */
function memoryPrelude(): string {
  return [
    `function mem(t) { var u = process.memory().usage; print(${q(FRAME)} + "mem " + t + " " + u); }`,
    `function say(s) { print(${q(FRAME)} + s); }`,
    'function idle() {}',
    'setInterval(idle, 3600000);',
  ].join('\n');
}

export interface MemoryProgram {
  /** The boot code: prelude and harness, all defined before the baseline. */
  boot: string;
  /** Statement typed at the console that loads the code from Storage. */
  load: string;
  /** Statement typed to connect and subscribe (or start the app). */
  start: string;
}

const readStorage = (name: string) => `eval(require("Storage").read(${q(name)}))`;

/** The tinyiot core client over the Espruino HAL, wired as a board's entry wires it. */
export function tinyiotCoreMemory(storageName: string, port: number): MemoryProgram {
  const harness = `
var tinyiot, C;
function onSub(e) { say(e ? "error subscribe " + e : "suback"); }
function onConn() { C.subscribe([{ topic: "bench/core", qos: 0 }], onSub); }
function onErr(e) { say("error " + e); }
function go() {
  var env = { require: require, getTime: getTime, setTimeout: setTimeout, clearTimeout: clearTimeout, E: E, print: print };
  var log = tinyiot.espruinoLog("info", print);
  var hal = { clock: tinyiot.espruinoClock(env), transport: tinyiot.espruinoTransport(env, log),
    storage: tinyiot.espruinoStorage(require("Storage")), log: log, random: Math.random };
  C = tinyiot.createClient(hal, { host: "127.0.0.1", port: ${port}, tls: false, clientId: "bench-core", clean: true });
  C.on("connect", onConn);
  C.on("error", onErr);
  C.connect();
}`;
  return { boot: `${memoryPrelude()}\n${harness}\nsay("ready");`, load: readStorage(storageName), start: 'go()' };
}

/** Espruino's MQTT module: "connected" on CONNACK, "subscribed" on SUBACK. */
export function espruinoMqttMemory(moduleName: string, port: number): MemoryProgram {
  const harness = `
var MOD, C;
function onSub() { say("suback"); }
function onConn() { C.subscribe("bench/mqtt"); }
function onErr(e) { say("error " + e); }
function go() {
  C = MOD.create("127.0.0.1", { port: ${port}, client_id: "bench-mqtt" });
  C.on("connected", onConn);
  C.on("subscribed", onSub);
  C.on("error", onErr);
  C.connect();
}`;
  return { boot: `${memoryPrelude()}\n${harness}\nsay("ready");`, load: `MOD = require(${q(moduleName)})`, start: 'go()' };
}

/**
 * tinyMQTT ignores SUBACK, so a listener of ours on its socket spots it (0x90) and removes itself
 * before the sample. It dials reconnect_interval ms after connect().
 */
export function tinyMqttMemory(moduleName: string, port: number): MemoryProgram {
  const harness = `
var MOD, C;
function spot(d) { if (d.indexOf("\\x90") >= 0) { C.cl.removeListener("data", spot); say("suback"); } }
function onConn() { C.cl.on("data", spot); C.subscribe("bench/tiny"); }
function go() {
  C = MOD.create("127.0.0.1", { port: ${port}, reconnect_interval: 300 });
  C.on("connected", onConn);
  C.connect();
}`;
  return { boot: `${memoryPrelude()}\n${harness}\nsay("ready");`, load: `MOD = require(${q(moduleName)})`, start: 'go()' };
}

/**
 * A built app as a board runs it: the bundle, then its boot line (together they are the .bootcde
 * `tinyiot build` writes), here as two Storage files so the load can be sampled in between. The
 * app reads its config from Storage "tinyiot.json"; the host tells when it is ready.
 */
export function appMemory(bundleName: string, bootName: string): MemoryProgram {
  return { boot: `${memoryPrelude()}\nvar tinyiot;\nsay("ready");`, load: readStorage(bundleName), start: readStorage(bootName) };
}

// ---- instruction counts ------------------------------------------------------------------

export type Op = 'encode' | 'decode';
export type Client = 'tinyiot' | 'espruino-mqtt' | 'tinymqtt' | 'loop';

const instrHelpers = `
var T = ${q(TOPIC)}, P = ${q(PAYLOAD)};
var S = String.fromCharCode(0x30, 2 + T.length + P.length, 0, T.length) + T + P;
function say(s) { print(${q(FRAME)} + s); }
function hex(x) {
  var h = "";
  for (var i = 0; i < x.length; i++) h += (256 + (typeof x == "string" ? x.charCodeAt(i) : x[i])).toString(16).slice(1);
  return h;
}`;

/** Loop bodies: one encode or decode of the same packet, each with the client's own code. */
interface InstrParts {
  /** Loads the code and prepares the objects (not counted). */
  setup: string;
  /** One operation. */
  op: string;
  /** An expression giving what one operation produced: bytes (encode) or "topic payload" (decode). */
  result: string;
}

/** A Storage module loaded as require() loads it, but from a copy of its text in RAM. */
const requireInRam = (name: string) => `(Modules.addCached(${q(name)}, require("Storage").read(${q(name)}) + ""), require(${q(name)}))`;

function instrParts(client: Client, op: Op, storageName: string): InstrParts {
  if (client === 'loop') return { setup: '', op: '', result: '""' };
  if (client === 'tinyiot') {
    // The platform's converter and natives, as createClient installs them from hal.utf8.
    const setup = `eval(require("Storage").read(${q(storageName)}) + "");
codec.useUtf8(codec.espruinoUtf8(E));
var out, got, B = E.toUint8Array(S), PB = E.toUint8Array(P);
var dec = codec.clientDecoder(1024, function (p) { got = p; }, function (e) { say("error " + e); });`;
    return op === 'encode'
      // The payload as bytes, as a PUBLISH packet has it (publish() converts text once, up front).
      ? { setup, op: 'out = codec.encodePublish(T, PB, 0, false);', result: 'out' }
      : { setup, op: 'dec.push(B);', result: 'got.topic + " " + E.toString(got.payload)' };
  }
  if (client === 'espruino-mqtt') {
    // publish() writes to this.client; packetHandler() is what the socket's data event calls.
    const setup = `var out, got, m = ${requireInRam(storageName)}.create("127.0.0.1", { client_id: "bench" });
m.client = { write: function (s) { out = s; } };
m.on("message", function (t, msg) { got = t + " " + msg; });`;
    return op === 'encode' ? { setup, op: 'm.publish(T, P);', result: 'out' } : { setup, op: 'm.packetHandler(S);', result: 'got' };
  }
  // tinyMQTT keeps its decoder (onDat) private and hands it only to its socket: a stand-in "net"
  // module gives it a socket that keeps that handler and the bytes written.
  const setup = `var out, got, ondata;
Modules.addCached("net", "exports.connect = function (o, cb) { setTimeout(cb, 1); return { on: function (e, f) { if (e == 'data') ondata = f; }, write: function (s) { out = s; }, end: function () {} }; };");
var m = ${requireInRam(storageName)}.create("127.0.0.1", { reconnect_interval: 20 });
m.on("message", function (x) { got = x.topic + " " + x.message; });
m.connect();`;
  return op === 'encode' ? { setup, op: 'm.publish(T, P);', result: 'out' } : { setup, op: 'ondata(S);', result: 'got' };
}

/**
 * One instruction-count program: setup, one operation whose result is printed ("check"), then the
 * counted loop of n operations. It starts from a timer so that tinyMQTT's stand-in connection is
 * up, and lets queued events (the anchors' "message" listeners) run before the check is printed.
 */
export function instructionProgram(client: Client, op: Op, n: number, storageName: string): string {
  const p = instrParts(client, op, storageName);
  return `${instrHelpers}
${p.setup}
var N = ${n};
function loop(a) { for (var i = 0; i < N; i++) { ${p.op} } return a; }
function report() { say("check " + (${op === 'encode' ? `hex(${p.result})` : p.result})); say("done"); quit(); }
function measure() {
  ${p.op}
  [0].reduce(loop, 0);
  setTimeout(report, 10);
}
setTimeout(measure, 100);
`;
}
