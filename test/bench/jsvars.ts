// The build's JsVar model (build/firmware/jsvars.ts) against Espruino's own interpreter: both example
// apps built for several boards, each booted as a board boots it (the bundle loaded from Storage,
// then started over stand-ins whose sockets never connect, as in the build's start-up check),
// blocks from process.memory().usage. Prints measured and estimated blocks side by side, and the
// data points in the form test/build/firmware/jsvars-calibration.test.ts keeps them.
// Runs under `npm run bench -- jsvars`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOW_TO_GET, locateEspruino } from '../../build/espruino/locate.js';
import { runEspruino } from '../../build/espruino/process.js';
import { bootLine } from '../../build/firmware/entry.js';
import { codeJsVars, startJsVars } from '../../build/firmware/jsvars.js';
import { GLOBAL } from '../../build/firmware/output.js';
import { buildFirmware } from '../../build/firmware/pipeline.js';
import { smokeRun } from '../../build/firmware/smoke.js';

const FRAME = 'JSVARS|';
/** The Linux interpreter's blocks: 27 bytes (32-bit references). */
const INTERPRETER = 27;

/** Apps and boards measured; esp8266 has no TLS, so it builds in the insecure development mode. */
const BUILDS: [string, string][] = [
  ['mqtt-blink', 'esp32'], ['mqtt-blink', 'esp8266'], ['mqtt-blink', 'espruino-wifi'], ['mqtt-blink', 'pico-esp8266'], ['mqtt-blink', 'rak5010'], ['mqtt-blink', 'linux'],
  ['iothub-sensor', 'esp32'], ['iothub-sensor', 'espruino-wifi'], ['iothub-sensor', 'pico-esp8266'], ['iothub-sensor', 'rak5010'], ['iothub-sensor', 'linux'],
];

/**
 * The boot code: stand-ins as build/firmware/stub-env.ts gives QuickJS (net and tls sockets that
 * never connect, a Wifi that never joins, a modem UART that never answers), Espruino's own timers,
 * Storage and crypto; then the three samples.
 */
function boot(modem: boolean): string {
  return `
function mem(t) { print(${JSON.stringify(FRAME)} + t + " " + process.memory().usage); }
function __socket() { return { on: function () {}, write: function () {}, end: function () {} }; }
var __net = { connect: function () { return __socket(); } };
var __wifi = { connect: function () {}, on: function () {} };
function __require(m) { return m == "net" || m == "tls" ? __net : m == "Wifi" ? __wifi : require(m); }
var tinyiot, __env = { require: __require, getTime: getTime, setTimeout: setTimeout, clearTimeout: clearTimeout, E: E,
  digitalWrite: function () {}, digitalRead: function () { return 0; }, analogRead: function () { return 0.5; }, print: print,
  ${modem ? 'serial: { setup: function () {}, write: function () {}, on: function () {} }' : ''} };
setInterval(function () {}, 3600000);
mem("base");
eval(require("Storage").read("b"));
mem("load");
tinyiot.run(__env);
mem("start");`;
}

async function measure(bundle: string, cfg: object, modem: boolean, binary: string): Promise<{ load: number; start: number }> {
  const r: Record<string, number> = {};
  const run = await runEspruino({
    binary, storage: { b: bundle, 'tinyiot.json': JSON.stringify(cfg) }, boot: boot(modem),
    onLine: (l) => {
      const i = l.indexOf(FRAME);
      if (i >= 0) {
        const [k, v] = l.slice(i + FRAME.length).split(' ');
        r[k!] = Number(v);
      }
    },
  });
  try {
    const t0 = Date.now();
    while (r.start === undefined && Date.now() - t0 < 20_000) await new Promise((res) => setTimeout(res, 100));
    if (r.start === undefined) throw new Error('the firmware did not start on the interpreter within 20 s');
    return { load: r.load! - r.base!, start: r.start - r.load! };
  } finally {
    await run.stop();
  }
}

const pct = (est: number, got: number) => `${est >= got ? '+' : ''}${((100 * (est - got)) / got).toFixed(1)}%`;

export async function run(): Promise<void> {
  const located = locateEspruino();
  if (!located) throw new Error(`no Espruino interpreter found: ${HOW_TO_GET}`);
  const rows: string[] = [], points: string[] = [];
  for (const [app, board] of BUILDS) {
    const out = await mkdtemp(join(tmpdir(), 'tinyiot-bench-jsvars-'));
    try {
      const b = await buildFirmware({ app, board, outDir: out, insecureDev: board === 'esp8266' });
      if (!b.bundle) throw new Error(`building ${app} for ${board} failed: ${b.error}`);
      // The estimate's inputs come from QuickJS, whichever engine the build's own check used.
      const smoke = await smokeRun(b.bundle, bootLine(b.board, GLOBAL), b.board, b.app.example, 'quickjs');
      if (!smoke.startCounts) throw new Error(`${app} for ${board}: no QuickJS counts`);
      const got = await measure(b.bundle, b.app.example, !!b.board.modem, located.path);
      const code = codeJsVars(b.bundle, INTERPRETER);
      const start = startJsVars(smoke.startCounts, INTERPRETER, code.longNameShare);
      const budget = b.budget!;
      rows.push(`${app.padEnd(14)} ${board.padEnd(14)} load ${String(got.load).padStart(5)} est ${String(code.flashJsVars).padStart(5)} ${pct(code.flashJsVars, got.load).padStart(7)}` +
        `   start ${String(got.start).padStart(5)} est ${String(start).padStart(5)} ${pct(start, got.start).padStart(7)}` +
        `   on the board: ${budget.jsVars} of ${budget.maxJsVars} (${b.ok ? 'accepted' : 'refused'})`);
      const f = { functions: code.functions, unscoped: code.unscoped, params: code.params, names: code.names, props: code.props, strings: code.strings, stringChars: code.stringChars, pieces: code.pieces };
      const js = (o: object) => JSON.stringify(o).replace(/"(\w+)":/g, '$1: ').replace(/,/g, ', ');
      points.push(`  { app: '${app}', board: '${board}', load: ${got.load}, start: ${got.start}, features: ${js(f)}, longNameShare: ${code.longNameShare.toFixed(4)}, started: ${js(smoke.startCounts)} },`);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
  console.log(`Espruino interpreter: ${located.path}; blocks over the baseline, estimated with the interpreter's 27-byte layout`);
  console.log('load: the bundle evaluated from Storage; start: tinyiot.run() over stand-ins (nothing connects)');
  for (const r of rows) console.log(r);
  console.log('\ndata points (test/build/firmware/jsvars-calibration.test.ts):');
  for (const p of points) console.log(p);
}
