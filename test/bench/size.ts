// What the firmware costs a board: minified ES5 bytes (an Espruino keeps source text in RAM) of
// the codec and of the whole MQTT client, per module, with gzip for reference, against the
// target; then heap use in real engines while connecting and sending 100 QoS 1 messages.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleFirmware, type BundleResult } from '../../build/bundle.js';
import { runInEngine } from '../../build/es5-engines.js';

const TARGET = 4000;
const N = 100;

const fakeHal = readFileSync(new URL('../es5/fake-hal.es5.js', import.meta.url), 'utf8');

// ES5, runs in the engine after the client bundle and the fake HAL: connect, then n QoS 1 publishes.
const publishes = (n: number) => `
var t = makeHal(), acked = 0, failed = 0, connects = 0;
var c = mqtt.createClient(t.hal, { host: 'broker.local', port: 1883, tls: false, clientId: 'bench', clean: true });
c.on('connect', function () {
  connects++;
  for (var i = 0; i < ${n}; i++) {
    c.publish('bench/telemetry', '{"seq":' + i + ',"temp":21.5}', { qos: 1 }, function (err) {
      if (err) failed++; else acked++;
      sampleHeap();
    });
    sampleHeap();
  }
});
sampleHeap();
c.connect();
t.run(60000);
sampleHeap();
print(connects, acked, failed, t.broker.acks);
`;

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** target: the issue's bound, which is for the whole client (the codec lines have none). */
function report(name: string, b: BundleResult, target?: number): void {
  const gz = gzipSync(b.code, { level: 9 }).length;
  const verdict = !target ? '' : b.bytes <= target ? `; target ${fmt(target)}: within (${fmt(target - b.bytes)} to spare)`
    : `; target ${fmt(target)}: over by ${fmt(b.bytes - target)}`;
  console.log(`${name}: ${fmt(b.bytes)} bytes minified ES5, ${fmt(gz)} gzip${verdict}`);
  for (const m of b.modules) if (m.bytes) console.log(`    ${String(m.bytes).padStart(6)}  ${m.path}`);
}

/** The codec as client firmware gets it: the client halves of decoder and encoder, and UTF-8. */
async function clientCodec(): Promise<BundleResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyiot-size-'));
  const at = (f: string) => JSON.stringify(fileURLToPath(new URL(`../../firmware/mqtt/codec/${f}`, import.meta.url)));
  const entry = join(dir, 'client-codec.ts');
  writeFileSync(entry, `export { clientDecoder } from ${at('client-decode.ts')};\n` +
    `export { clientEncode } from ${at('client-encode.ts')};\n` +
    `export { utf8Encode, utf8Decode } from ${at('utf8.ts')};\n`);
  try {
    return await bundleFirmware(entry, { globalName: 'codec', minify: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const codec = await bundleFirmware('firmware/mqtt/codec/index.ts', { globalName: 'codec', minify: true });
  const half = await clientCodec();
  const client = await bundleFirmware('firmware/mqtt/index.ts', { globalName: 'mqtt', minify: true });
  console.log('per-module bytes are esbuild-minified shares before terser; totals are final');
  report('codec, every packet both ways (firmware/mqtt/codec/index.ts)', codec);
  report('codec, client half only (client-decode + client-encode + utf8)', half);
  report('MQTT client (firmware/mqtt: codec + session + outbox + client)', client, TARGET);

  console.log('heap over an empty engine (includes the in-engine fake HAL and broker and their garbage):');
  // duktape frees by refcount but leaves cycles (every closure with its prototype) to a periodic
  // mark-and-sweep, so its plain peak includes garbage; the "GC at each sample" run shows live data.
  const runs = [
    { engine: 'duktape', how: 'exact, counting allocator', pre: '' },
    { engine: 'duktape', how: 'exact, GC at each sample', pre: 'sampleHeap = function () { Duktape.gc(); };\n' },
    { engine: 'quickjs', how: 'sampled live-heap walk', pre: '' },
  ] as const;
  for (const { engine, how, pre } of runs) {
    const peaks: string[] = [];
    const loaded = await runInEngine(client.code, { engine, script: 'sampleHeap();' });
    peaks.push(`bundle loaded ${fmt(loaded.peakBytes ?? NaN)} B`);
    for (const n of [0, N]) {
      const r = await runInEngine(client.code, { engine, script: pre + fakeHal + publishes(n) });
      if (!r.ok || r.output.trim() !== `1 ${n} 0 ${n}`) {
        peaks.push(`${n} publishes FAILED (${r.error ?? r.output.trim()})`);
        process.exitCode = 1;
        continue;
      }
      peaks.push(`connect${n ? ` + ${n} QoS 1 publishes` : ' only'} ${fmt(r.peakBytes ?? NaN)} B`);
    }
    console.log(`  ${engine} (${how}): ${peaks.join('; ')}`);
  }
}
