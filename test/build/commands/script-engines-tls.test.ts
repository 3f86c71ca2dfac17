// The TLS example (examples/scripts/demo.json) as it is meant to run, over TLS with the broker's CA,
// on --engine node and --engine espruino at once against mosquitto. Espruino's mbedTLS offers only
// RSA key exchange, so the broker gets an RSA certificate of its own here (self-signed, it is its
// own CA); Node verifies it against `ca`, Espruino cannot verify and says so on stderr.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binary.js';
import { startMosquitto, type Broker } from '../../support/brokers.js';
import { runEngines, sameOnBoth } from '../../support/scriptEngines.js';
import { useScriptDir } from '../../support/scriptHarness.js';
import { ROOT } from '../cliRun.js';

/** A self-signed RSA certificate for 127.0.0.1, written as cert and key files in dir. */
async function rsaServer(dir: string): Promise<{ certPath: string; keyPath: string; caPath: string }> {
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 3_600_000),
    notAfterDate: new Date(now + 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  const certPath = join(dir, 'broker.pem');
  const keyPath = join(dir, 'broker.key');
  writeFileSync(certPath, pems.cert);
  writeFileSync(keyPath, pems.private, { mode: 0o600 });
  return { certPath, keyPath, caPath: certPath };
}

const d = useScriptDir();
const mosq = requireBinary('mosquitto');
describe.skipIf(mosq.missing)('the TLS example on both engines against mosquitto over TLS', () => {
  let broker: Broker;
  beforeAll(async () => {
    const tls = await rsaServer(d.dir);
    broker = await startMosquitto({ tls });
  });
  afterAll(() => broker?.stop());

  it('runs demo.json with its ca: the same events and exit code', async () => {
    const demo = JSON.parse(readFileSync(join(ROOT, 'examples', 'scripts', 'demo.json'), 'utf8'));
    expect(demo.tls).not.toBe(false);
    const r = await runEngines(d.dir, 'demo.json', { ...demo, host: '127.0.0.1', port: broker.port, ca: 'broker.pem' });
    expect(r.node.stderr).toBe('');
    expect(r.node.code).toBe(0);
    const events = sameOnBoth(r);
    expect(events[0]).toEqual({ ev: 'connack', rc: 0, sessionPresent: false });
    expect(events.filter((e) => e.ev === 'error')).toEqual([]);
    expect(events.filter((e) => e.ev === 'message').map((e) => e.topic)).toEqual(['demo/telemetry', 'demo/telemetry', 'demo/alarm', 'demo/raw']);
    expect(events.at(-1)).toEqual({ ev: 'closed', how: 'disconnect' });
    if (r.espruino) expect(r.espruino.stderr).toMatch(/does not verify the server's certificate/);
  });
});
