// The IoT Hub layer compiled to ES5 by the firmware pipeline: the bundle must be plain ES5 and run
// a device session (SAS token minted in JS, CONNECT, subscriptions, telemetry with a property bag,
// a twin request that times out, end) on quickjs, duktape and mujs exactly as Node runs the source.
// The in-engine HAL and broker are test/es5/fake-hal.es5.js; the pure-JS HMAC is firmware/crypto.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFirmware } from '../../../build/bundle.js';
import { engines, runInEngine } from '../../../build/es5-engines.js';
import { engineMissing } from '../../support/binary.js';
import { verifyEs5 } from '../../../build/verify.js';
import * as cryptoSource from '../../../firmware/crypto/index.js';
import * as iothubSource from '../../../firmware/iothub/index.js';
import { checkSas, KEY } from '../../support/fakeHub.js';

const fakeHal = readFileSync(new URL('../../es5/fake-hal.es5.js', import.meta.url), 'utf8');

const script = fakeHal + `
var t = makeHal(), log = [];
t.hal.crypto = tc.jsCrypto();
// Shows the CONNECT packet's password, the SAS token, as the broker received it.
var tr = t.hal.transport;
t.hal.transport = { connect: function (o, h) {
  var s = tr.connect(o, h);
  return { write: function (b) {
    if (b[0] === 0x10) { var x = text(b); log.push('password ' + x.slice(x.indexOf('SharedAccessSignature'))); }
    s.write(b);
  }, close: function () { s.close(); } };
} };
var d = iot.createDevice(t.hal, {
  connectionString: 'HostName=hub.test;DeviceId=d1;SharedAccessKey=${KEY}', port: 1883, tls: false, limits: { ackTimeout: 5000 }
});
d.on('connect', function () { log.push('connect'); });
d.on('close', function (r) { log.push('close ' + r); });
d.on('error', function (e) { log.push('error ' + e); });
d.onMethod('reboot', function (p, r) { r(200); });
d.connect();
d.send('{"t":21.5}', { '$.ct': 'application/json', 'a b': 'c/d' }, function (e) { log.push('sent ' + e); });
d.getTwin(function (e) { log.push('twin ' + e); });
t.run(20000);
d.end();
t.run(1000);
print('device', log.join(' | '));
print('broker', t.broker.seen.join(' | '));
`;

function inNode(): string {
  const lines: string[] = [];
  const print = (...a: unknown[]) => lines.push(a.map(String).join(' '));
  runInNewContext(script, { iot: iothubSource, tc: cryptoSource, print, sampleHeap: () => undefined, Uint8Array });
  return lines.map((l) => l + '\n').join('');
}

describe('IoT Hub device compiled to ES5', () => {
  let code = '';
  const reference = inNode();

  beforeAll(async () => {
    const a = await bundleFirmware('firmware/iothub/index.ts', { globalName: 'iot', minify: true });
    const b = await bundleFirmware('firmware/crypto/index.ts', { globalName: 'tc', minify: true });
    code = a.code + '\n' + b.code;
  });

  it('is plain ES5', () => {
    expect(verifyEs5(code)).toEqual([]);
  });

  it('runs the session in Node first (the reference output)', () => {
    const device = /^device (.*)$/m.exec(reference)![1]!.split(' | ');
    const broker = /^broker (.*)$/m.exec(reference)![1]!.split(' | ');
    const pw = device[0]!.replace(/^password /, '');
    expect(checkSas(pw, 'hub.test/devices/d1', KEY, 1_700_000_000)).toBe(1_700_003_600);
    expect(device.slice(1)).toEqual(['connect', 'sent undefined', 'twin twin: no answer within 5000 ms', 'close end']);
    expect(broker).toEqual([
      'DIAL hub.test:1883 tcp',
      'CONNECT MQTT v4 flags=192 ka=240 id=d1',
      'SUBSCRIBE id=1 $iothub/methods/POST/# q1',
      // The twin's two filters in one SUBSCRIBE (the broker logs a line per filter).
      'SUBSCRIBE id=3 $iothub/twin/res/# q1',
      'SUBSCRIBE id=3 $iothub/twin/PATCH/properties/desired/# q1',
      'PUBLISH devices/d1/messages/events/%24.ct=application%2Fjson&a%20b=c%2Fd q1 id=2 dup=0 len=10',
      'PUBLISH $iothub/twin/GET/?$rid=1 q1 id=4 dup=0 len=0',
      'DISCONNECT',
    ]);
  });

  it.for(engines)('runs the same session on %s', async (engine, { skip }) => {
    skip(engineMissing(engine));
    const r = await runInEngine(code, { engine, script });
    expect(r.error).toBeUndefined();
    expect(r.output).toBe(reference);
  });
});

describe('what a board carries', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tinyiot-iothub-'));
  const app = join(dir, 'app.ts');
  // An app as a board bundle sees it: it imports the package index but never calls register() or provision().
  writeFileSync(app, `import { createDevice } from ${JSON.stringify(resolve('firmware/iothub/index.ts'))};\nexport const go = (h: any) => createDevice(h, { connectionString: 'x' });\n`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an app that never calls register() or provision() carries no DPS code', async () => {
    const full = await bundleFirmware('firmware/iothub/index.ts', { globalName: 'iot', minify: true });
    const dev = await bundleFirmware(app, { globalName: 'app', minify: true });
    expect(full.code).toContain('iotdps-register');
    expect(dev.code).not.toContain('iotdps');
    expect(full.modules.map((m) => m.path)).toContain(join('firmware', 'iothub', 'provision.ts'));
    expect(dev.modules.map((m) => m.path)).not.toContain(join('firmware', 'iothub', 'dps.ts'));
    expect(dev.modules.map((m) => m.path)).not.toContain(join('firmware', 'iothub', 'provision.ts'));
  });

  it('the device layer adds less than 9.38 KB (minified) to the MQTT client', async () => {
    // The goal is 3,000 bytes; this budget only keeps what was reached from growing back.
    // 7.6 KB before Espruino's interpreter ran it: percent-escapes over UTF-8, GatewayHostName
    // and whole numbers without regular expressions, and the tested topic parsers in place of
    // inlined copies added about 1 KB. Then 8.7 KB; the device as one object with its methods
    // shared on a prototype (`this.` where closures named a variable, four bound listeners) added
    // 0.3 KB and took about 200 blocks off a connected device on Espruino. With the client made once
    // (prototypes, internal properties shortened by the build) the difference measured 9,166 B;
    // a token minted at each dial (so a refused try is retried with a fresh one) and the 'refused'
    // event brought it to 9,235 B; the HAL and the device's readers made once, 9,345 B; 9,348 B
    // after the client's trim for the Puck.
    const mqtt = await bundleFirmware('firmware/mqtt/index.ts', { globalName: 'm', minify: true });
    const dev = await bundleFirmware(app, { globalName: 'app', minify: true });
    expect(dev.bytes - mqtt.bytes).toBeLessThan(9380);
  });
});
