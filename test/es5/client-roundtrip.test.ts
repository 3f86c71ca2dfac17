// The proof that the compiled MQTT codec and client run on real ES5 engines: bundle them with the
// firmware pipeline, check the bundle is ES5, run the same ES5 scripts inside quickjs, duktape,
// mujs and Espruino's own interpreter, and require every engine to print exactly what Node prints
// running the TypeScript source. On Espruino the codec converts text with the natives
// hal/espruino gives a board (text-entry.ts).
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleFirmware, type BundleResult } from '../../build/bundle.js';
import { engines, runInEngine } from '../../build/es5-engines.js';
import { engineMissing } from '../support/binary.js';
import { verifyEs5 } from '../../build/verify.js';
import * as codecSource from '../../firmware/mqtt/codec/index.js';
import * as clientSource from '../../firmware/mqtt/index.js';

const fixture = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
const codecScript = fixture('codec-roundtrip.es5.js');
const clientScript = fixture('fake-hal.es5.js') + fixture('client-session.es5.js');

/** Runs an ES5 script in Node against the TypeScript modules, as the engines run it against the bundle. */
function inNode(globals: Record<string, unknown>, script: string): string {
  const lines: string[] = [];
  const print = (...a: unknown[]) => lines.push(a.map(String).join(' '));
  // The firmware's Uint8Array is this realm's; the script must make the same kind.
  runInNewContext(script, { ...globals, print, sampleHeap: () => undefined, Uint8Array });
  return lines.map((l) => l + '\n').join('');
}

describe('MQTT codec compiled to ES5', () => {
  let bundle: BundleResult;
  const reference = inNode({ codec: codecSource }, codecScript);

  beforeAll(async () => {
    bundle = await bundleFirmware('test/es5/text-entry.ts', { globalName: 'codec', minify: true });
  });

  it('is plain ES5', () => {
    expect(verifyEs5(bundle.code)).toEqual([]);
    expect(verifyEs5(codecScript)).toEqual([]);
  });

  it('round-trips every packet type in Node first (the reference output)', () => {
    expect(reference).toMatch(/\nok 18\n$/);
    expect(reference.match(/^hex /gm)).toHaveLength(18);
    expect(reference).toMatch(/^bad \[MQTT-2\.2\.1\][^|]*\| \[MQTT-3\.6\.1-1\]/m);
    expect(reference).toContain('\nutf8 true\n');
    expect(reference).not.toMatch(/mismatch|decode errors|decoded /);
  });

  it.for(engines)('round-trips every packet type, byte by byte and in one chunk, on %s', async (engine, { skip }) => {
    skip(engineMissing(engine));
    const setup = engine === 'espruino' ? 'codec.useUtf8(codec.espruinoUtf8(E));\n' : '';
    const r = await runInEngine(bundle.code, { engine, script: setup + codecScript });
    expect(r.error).toBeUndefined();
    expect(r.output).toBe(reference);
  });
});

describe('MQTT client compiled to ES5', () => {
  let bundle: BundleResult;
  const reference = inNode({ mqtt: clientSource }, clientScript);
  const client = /^client (.*)$/m.exec(reference)?.[1]?.split(' | ') ?? [];
  const broker = /^broker (.*)$/m.exec(reference)?.[1]?.split(' | ') ?? [];

  beforeAll(async () => {
    bundle = await bundleFirmware('firmware/mqtt/index.ts', { globalName: 'mqtt', minify: true });
  });

  it('is plain ES5, and so is the in-engine HAL', () => {
    expect(verifyEs5(bundle.code)).toEqual([]);
    expect(verifyEs5(clientScript)).toEqual([]);
  });

  it('is refused twice and tries again, then connects, subscribes, publishes QoS 1 and gets PUBACK in Node (the reference output)', () => {
    const refusal = 'connection refused: not authorized (rc 5)';
    expect(client.slice(0, 7)).toEqual([
      `error ${refusal}`, 'refused 5 not authorized 500', `close ${refusal}`,
      `error ${refusal}`, 'refused 5 not authorized 1000', `close ${refusal}`,
      'connect false',
    ]);
    expect(client).toContain('suback ok 1');
    expect(client.find((l) => /^suback /.test(l) && l.endsWith(' 128'))).toMatch(/deny\/x|refused/);
    expect(client).toContain('puback ok');
    expect(client).toContain('message dev/in hello es5');
    expect(client.indexOf('suback ok 1')).toBeLessThan(client.indexOf('puback ok'));
    expect(client.filter((l) => l.startsWith('connected '))).toEqual(['connected true', 'connected false']);
    expect(client.slice(7).some((l) => l.startsWith('error '))).toBe(false);
    const hello = ['DIAL broker.local:1883 tcp', 'CONNECT MQTT v4 flags=2 ka=30 id=es5-dev'];
    expect(broker).toEqual([
      ...hello, 'CONNACK 5',
      ...hello, 'CONNACK 5',
      ...hello,
      'SUBSCRIBE id=1 dev/in q1',
      'SUBSCRIBE id=2 deny/x q0',
      'PUBLISH dev/in q1 id=3 dup=0 len=9',
      'PINGREQ',
      'DISCONNECT',
    ]);
  });

  it.for(engines)('runs the same session on %s', async (engine, { skip }) => {
    skip(engineMissing(engine));
    const r = await runInEngine(bundle.code, { engine, script: clientScript });
    expect(r.error).toBeUndefined();
    expect(r.output).toBe(reference);
  });
});
