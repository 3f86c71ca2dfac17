// What the Espruino benchmark runs: tinyiot's code built as a board gets it, and the two peers
// measured beside it (read from ../shared/anchors beside the checkout, never part of the project).
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFirmware } from '../../../build/bundle.js';
import { bootLine } from '../../../build/firmware/entry.js';
import { GLOBAL } from '../../../build/firmware/output.js';
import { buildFirmware } from '../../../build/firmware/pipeline.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

/** Where the anchors are: TINYIOT_ANCHORS, else ../shared/anchors beside the checkout. */
export function anchorsDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TINYIOT_ANCHORS ? resolve(env.TINYIOT_ANCHORS) : resolve(repo, '..', 'shared', 'anchors');
}

export interface Anchor {
  name: string;
  /** Storage file name: require() of it loads the module from Storage. */
  module: string;
  code: string;
}

export function loadAnchors(dir = anchorsDir()): Anchor[] {
  const read = (f: string) => {
    const p = join(dir, f);
    if (!existsSync(p)) throw new Error(`anchor ${p} not found (set TINYIOT_ANCHORS to the folder holding ${f})`);
    return readFileSync(p, 'latin1');
  };
  return [
    { name: 'Espruino MQTT module', module: 'MQTT', code: read('espruino-MQTT.js') },
    { name: 'tinyMQTT', module: 'tinyMQTT', code: read('tinyMQTT.js') },
  ];
}

/** Bundles an entry written from `lines` (paths relative to the repository) as a minified board
 *  script, laid out as `tinyiot build` lays out firmware (at the top level, build/global-layout.ts). */
async function bundleOf(lines: [string[], string][], globalName: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tinyiot-bench-entry-'));
  try {
    const entry = join(dir, 'entry.ts');
    await writeFile(entry, lines.map(([names, file]) => `export { ${names.join(', ')} } from ${JSON.stringify(join(repo, file))};\n`).join(''));
    return (await bundleFirmware(entry, { globalName, minify: true, layout: 'global' })).code;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The core client as a program of one's own would bundle it: firmware/mqtt (client, session,
 * outbox, codec, clock use, limits) and the Espruino HAL parts a plain-TCP client needs.
 */
export function coreBundle(): Promise<string> {
  return bundleOf([
    [['createClient'], 'firmware/mqtt/index.ts'],
    [['espruinoClock'], 'hal/espruino/clock.ts'],
    [['espruinoTransport'], 'hal/espruino/transport.ts'],
    [['espruinoLog'], 'hal/espruino/log.ts'],
    [['espruinoStorage'], 'hal/espruino/storage.ts'],
  ], GLOBAL);
}

/**
 * The codec's client half alone (what the core client uses), for the instruction counts, with the
 * Espruino HAL's converter that createClient installs from hal.utf8.
 */
export function codecBundle(): Promise<string> {
  return bundleOf([
    [['clientEncode', 'encodePublish'], 'firmware/mqtt/codec/client-encode.ts'],
    [['clientDecoder'], 'firmware/mqtt/codec/client-decode.ts'],
    [['useUtf8'], 'firmware/mqtt/codec/utf8.ts'],
    [['espruinoUtf8'], 'hal/espruino/utf8.ts'],
  ], 'codec');
}

export interface AppBuild {
  /** The bundle (defines `tinyiot`) and the statement that starts it: together the board's .bootcde. */
  bundle: string;
  boot: string;
}

/** An example app built for the `linux` board (Espruino's own Linux build) by the real pipeline. */
export async function appBuild(app: string): Promise<AppBuild> {
  const outDir = await mkdtemp(join(tmpdir(), 'tinyiot-bench-build-'));
  try {
    const b = await buildFirmware({ app, board: 'linux', outDir });
    if (!b.ok || !b.bundle) throw new Error(`building ${app} for linux failed: ${b.error}`);
    return { bundle: b.bundle, boot: bootLine(b.board, GLOBAL) };
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
