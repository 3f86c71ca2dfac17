// tinyiot on Espruino's own interpreter, side by side with two MQTT clients people run on it
// (Espruino's MQTT module and tinyMQTT, the "anchors", read from ../shared/anchors beside the
// checkout and never part of the project). Per client:
// - bytes of code as stored (tinyiot: minified ES5 from build/bundle.ts; the anchors as distributed);
// - blocks to load: process.memory().usage after minus before the code is loaded from Storage as
//   a board loads it (eval of require("Storage").read(name), or require(name) of a Storage module);
//   process.memory() collects garbage first. Blocks are JsVars: one variable, property or piece of a
//   string each, on every build, so the counts carry over to boards;
// - blocks connected + subscribed: usage 1 s after SUBACK from mosquitto (plain TCP, loopback), over
//   the same baseline;
// - instructions per encode and per decode of one 57-byte QoS 0 PUBLISH (programs.ts says what each
//   operation is), counted by callgrind: (count with N = 500 operations - count with none) / 500.
// Then the iothub-sensor app connected to the local hub, over plain TCP and over TLS.
// Runs under `npm run bench`, or alone: `npx tsx -e 'import("./test/bench/espruino.ts").then(m => m.run())'`.
import { HOW_TO_GET, locateEspruino } from '../../build/espruino/locate.js';
import { findBinary } from '../support/binary.js';
import { type Broker, startMosquitto } from '../support/brokers.js';
import type { MemoryResult } from './espruino/measure.js';
import { TOGGLE } from './espruino/programs.js';
import { anchorMemory, blinkMemory, coreMemory, instructionCounts, type IrResult, N, sensorMemory } from './espruino/runs.js';
import { appBuild, codecBundle, coreBundle, loadAnchors } from './espruino/subjects.js';
import { type Cell, formatTable, ratioRow, type Row } from './espruino/table.js';

const bytes = (s: string) => Buffer.byteLength(s, 'latin1');
const missing = (why: string): Cell => ({ missing: why });

/** The memory columns of a row from one run (differences over its baseline). */
function memoryCells(r: MemoryResult | Error): Pick<Row, 'load' | 'connected'> {
  if (r instanceof Error) return { load: missing(r.message), connected: missing(r.message) };
  const over = (x?: number) => (x !== undefined && r.base !== undefined ? x - r.base : missing(r.error ?? 'not measured'));
  return { load: over(r.load), connected: over(r.connected) };
}

function irCell(r: IrResult | Error | undefined): Cell {
  if (!r) return undefined;
  return r instanceof Error ? missing(r.message) : r.perOp;
}

/** Runs a phase, saying what it is and, once done, how long it took. */
async function phase<T>(what: string, f: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  console.log(`${what} ...`);
  try {
    return await f();
  } finally {
    console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
}

async function settle<T>(p: Promise<T>): Promise<T | Error> {
  try {
    return await p;
  } catch (e) {
    return e as Error;
  }
}

export async function run(): Promise<void> {
  const located = locateEspruino();
  if (!located) throw new Error(`no Espruino interpreter found: ${HOW_TO_GET}`);
  const valgrind = findBinary('valgrind');
  if (!valgrind) throw new Error('valgrind not installed (apt-get install -y valgrind): the instruction counts need callgrind');
  const binary = located.path;
  const say = (s: string) => console.log(s);
  say(`Espruino interpreter: ${binary} (${located.from}); ${TOGGLE} brackets the counted loops`);

  const anchors = loadAnchors();
  const [mqttAnchor, tinyAnchor] = anchors as [(typeof anchors)[0], (typeof anchors)[0]];
  const { core, codec, blink, sensor } = await phase('building the core client bundle, the codec, mqtt-blink and iothub-sensor (linux)', async () => ({
    core: await coreBundle(), codec: await codecBundle(), blink: await appBuild('mqtt-blink'), sensor: await appBuild('iothub-sensor'),
  }));

  const memory = await phase('memory: each client loaded, connected and subscribed to mosquitto', async () => {
    const broker = await settle(startMosquitto());
    const mem = async (f: (port: number) => Promise<MemoryResult>) => (broker instanceof Error ? broker : settle(f(broker.port)));
    try {
      return {
        core: await mem((p) => coreMemory(core, p, binary)),
        mqtt: await mem((p) => anchorMemory(mqttAnchor, p, binary)),
        tiny: await mem((p) => anchorMemory(tinyAnchor, p, binary)),
        blink: await mem((p) => blinkMemory(blink, p, binary)),
      };
    } finally {
      if (!(broker instanceof Error)) await broker.stop();
    }
  });

  const ir = await phase(`instructions: callgrind, (N = ${N} minus N = 0) / ${N}, each operation alone in a loop`, () => instructionCounts(
    { codec, MQTT: mqttAnchor.code, tinyMQTT: tinyAnchor.code },
    [
      ...(['encode', 'decode'] as const).flatMap((op) => [
        { client: 'tinyiot' as const, op, storageName: 'codec' },
        { client: 'espruino-mqtt' as const, op, storageName: 'MQTT' },
        { client: 'tinymqtt' as const, op, storageName: 'tinyMQTT' },
      ]),
      { client: 'loop', op: 'encode', storageName: '' },
    ],
    { binary, valgrind },
  ));

  const hub = await phase('iothub-sensor: connected to the local hub, plain TCP, then TLS', async () => ({
    tcp: await settle(sensorMemory(sensor, false, binary)),
    tls: await settle(sensorMemory(sensor, true, binary)),
  }));

  const rows: Row[] = [
    { client: 'tinyiot core client', bytes: bytes(core), ...memoryCells(memory.core), encode: irCell(ir.get('tinyiot encode')), decode: irCell(ir.get('tinyiot decode')) },
    { client: 'tinyiot mqtt-blink (linux)', bytes: bytes(blink.bundle), ...memoryCells(memory.blink) },
    { client: 'Espruino MQTT module', bytes: bytes(mqttAnchor.code), ...memoryCells(memory.mqtt), encode: irCell(ir.get('espruino-mqtt encode')), decode: irCell(ir.get('espruino-mqtt decode')) },
    { client: 'tinyMQTT', bytes: bytes(tinyAnchor.code), ...memoryCells(memory.tiny), encode: irCell(ir.get('tinymqtt encode')), decode: irCell(ir.get('tinymqtt decode')) },
  ];
  const [coreRow, blinkRow, mqttRow, tinyRow] = rows as [Row, Row, Row, Row];
  const sensorRows: Row[] = [
    { client: 'iothub-sensor (linux), hub over plain TCP', bytes: bytes(sensor.bundle), ...memoryCells(hub.tcp) },
    { client: 'iothub-sensor (linux), hub over TLS', bytes: bytes(sensor.bundle), ...memoryCells(hub.tls) },
  ];
  const ratios = [
    ratioRow('ratio core / Espruino MQTT', coreRow, mqttRow),
    ratioRow('ratio core / tinyMQTT', coreRow, tinyRow),
    ratioRow('ratio mqtt-blink / Espruino MQTT', blinkRow, mqttRow),
    ratioRow('ratio mqtt-blink / tinyMQTT', blinkRow, tinyRow),
  ];
  say('');
  for (const l of formatTable([...rows, ...sensorRows], ratios)) say(l);
  const loop = ir.get('loop encode');
  say('');
  say('blocks: JsVars over the baseline before loading; connected = 1 s after SUBACK (iothub-sensor: 1 s after its');
  say('  twin was reported back, i.e. connected, subscribed and twin fetched). The anchors are stored as distributed');
  say('  (comments, long names: not minified); mqtt-blink and iothub-sensor rows are whole apps (HAL, app, boot);');
  say("  mqtt-blink's encode and decode are the core's codec.");
  say('Ir/encode: tinyiot codec.encodePublish(topic, payload bytes, 0, false) -> Uint8Array, as the session encodes');
  say('  each message; Espruino MQTT publish() to a socket stand-in (mqttPublish inside); tinyMQTT publish() to');
  say('  its socket (it sets RETAIN on every PUBLISH).');
  say('Ir/decode: tinyiot clientDecoder.push(Uint8Array) -> {topic, payload view} to a callback; Espruino MQTT');
  say('  packetHandler(string) and tinyMQTT\'s socket data handler (onDat) -> "message" event (listeners run later, uncounted).');
  say('  Code runs from a RAM copy (Storage on Linux is a file: read through fseek/fread, +35-50% Ir; boards map flash).');
  say('  Espruino lexes source as it runs it, so the anchors\' comments and long names count in their Ir too.');
  say(`  Every figure includes the loop's own ${loop instanceof Error || !loop ? '(unmeasured)' : Math.round(loop.perOp).toLocaleString('en-US')} Ir per iteration.`);
  for (const [k, r] of ir) if (!(r instanceof Error) && r.n !== N) say(`  ${k}: counted with N = ${r.n}; ${N} would take minutes under callgrind (${Math.round(r.perOp).toLocaleString('en-US')} Ir each).`);
  const failed = [memory.core, memory.mqtt, memory.tiny, memory.blink, hub.tcp].some((r) => r instanceof Error || !!r?.error) ||
    [...ir.values()].some((r) => r instanceof Error);
  // The TLS row may fail until the hub's certificate is RSA: reported in the table, not a bench failure.
  if (failed) throw new Error('some figures could not be measured (see the notes under the table)');
}
