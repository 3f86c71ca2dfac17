// What goes wrong, on --engine node and --engine espruino at once: a CONNACK refused by mosquitto
// and a connect refused by the client, acknowledgements that never come, a broker that cannot be
// reached. Same events (the platform's words in `reason` aside) and exit codes on both engines.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binary.js';
import { startMosquitto, type Broker } from '../../support/brokers.js';
import { freePort } from '../../support/ports.js';
import { runEngines, sameOnBoth } from '../../support/scriptEngines.js';
import { useScriptDir } from '../../support/scriptHarness.js';

const d = useScriptDir();
const mosq = requireBinary('mosquitto');

/** A TCP server that reads everything and never answers, or (connack) answers the first packet with CONNACK 0 and nothing more. */
async function mute(connack: boolean): Promise<Server> {
  const s = createServer((c: Socket) => {
    c.on('error', () => {});
    c.once('data', () => connack && c.write(Buffer.from([0x20, 0x02, 0x00, 0x00])));
    c.resume();
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return s;
}
const portOf = (s: Server) => (s.address() as { port: number }).port;
const closeServer = (s: Server | undefined) => new Promise<void>((r) => (s ? s.close(() => r()) : r()));

describe.skipIf(mosq.missing)('a broker that refuses, both engines against mosquitto', () => {
  let strict: Broker;
  beforeAll(async () => {
    strict = await startMosquitto({ settings: ['allow_anonymous false'] });
  });
  afterAll(() => strict?.stop());

  const refused = () => ({
    host: '127.0.0.1',
    port: strict.port,
    tls: false,
    steps: [
      { op: 'connect', clientId: '', clean: false },
      { op: 'connect', clientId: 'refused', clean: true, username: 'nobody', password: 'not-this' },
      { op: 'subscribe', filters: [{ topic: 'x', qos: 0 }] },
      { op: 'wait', ms: 100 },
    ],
  });

  it('ends at the first failed step with exit 1', async () => {
    const r = await runEngines(d.dir, 'stop.json', refused());
    expect(r.node.code).toBe(1);
    expect(sameOnBoth(r)).toEqual([{ ev: 'error', msg: 'step 1 (connect): [MQTT-3.1.3-7] an empty clientId needs clean: true' }]);
  });

  it('with --keep-going reports a client-refused connect and a refused CONNACK as events and carries on (exit 0)', async () => {
    const r = await runEngines(d.dir, 'refused.json', refused(), undefined, ['--keep-going']);
    expect(r.node.code).toBe(0);
    expect(sameOnBoth(r)).toEqual([
      { ev: 'error', msg: 'step 1 (connect): [MQTT-3.1.3-7] an empty clientId needs clean: true' },
      { ev: 'connack', rc: 5, sessionPresent: false },
      { ev: 'error', msg: 'connection refused: not authorized (rc 5)' },
      { ev: 'closed', how: 'remote' },
      { ev: 'error', msg: 'step 3 (subscribe): not connected' },
    ]);
    for (const run of [r.node, r.espruino]) expect((run?.stdout ?? '') + (run?.stderr ?? '')).not.toContain('not-this');
  });
});

describe('acknowledgements that never come and brokers that cannot be reached, both engines', () => {
  let silent: Server | undefined;
  let connackOnly: Server | undefined;
  beforeAll(async () => {
    silent = await mute(false);
    connackOnly = await mute(true);
  });
  afterAll(async () => {
    await closeServer(silent);
    await closeServer(connackOnly);
  });
  const on = (port: number, steps: unknown[]) => ({ host: '127.0.0.1', port, tls: false, timeout: 300, steps });

  it('exits 1 when no CONNACK comes within the timeout', async () => {
    const r = await runEngines(d.dir, 'no-connack.json', on(portOf(silent!), [{ op: 'connect', clientId: 'waits', clean: true }, { op: 'disconnect' }]));
    expect(r.node.code).toBe(1);
    expect(sameOnBoth(r)).toEqual([{ ev: 'error', msg: 'step 1 (connect): no CONNACK within 300 ms' }]);
  });

  for (const [step, what] of [
    [{ op: 'subscribe', filters: [{ topic: 'a', qos: 1 }] }, 'SUBACK'],
    [{ op: 'unsubscribe', filters: ['a'] }, 'UNSUBACK'],
    [{ op: 'publish', topic: 'a', payload: 'x', qos: 1, await: true }, 'PUBACK'],
    [{ op: 'publish', topic: 'a', payload: 'x', qos: 2, await: true }, 'PUBCOMP'],
  ] as const) {
    it(`exits 1 when no ${what} comes within the timeout`, async () => {
      const r = await runEngines(d.dir, `no-${what}.json`, on(portOf(connackOnly!), [{ op: 'connect', clientId: 'acked', clean: true }, step, { op: 'disconnect' }]));
      expect(r.node.code).toBe(1);
      expect(sameOnBoth(r)).toEqual([
        { ev: 'connack', rc: 0, sessionPresent: false },
        { ev: 'error', msg: `step 2 (${step.op}): no ${what} within 300 ms` },
      ]);
    });
  }

  it('exits 1 when the broker cannot be reached, each engine saying why in reason', async () => {
    const port = await freePort();
    // A refused dial fails at once; the long timeout keeps a loaded machine from turning it into a
    // missing CONNACK.
    const steps = [{ op: 'connect', clientId: 'nobody', clean: true }, { op: 'disconnect' }];
    const r = await runEngines(d.dir, 'unreachable.json', { ...on(port, steps), timeout: 20_000 });
    expect(r.node.code).toBe(1);
    expect(sameOnBoth(r)).toEqual([{ ev: 'error', msg: `step 1 (connect): could not connect to 127.0.0.1:${port}` }]);
    expect(r.node.events()[0]!.reason).toMatch(/ECONNREFUSED/);
    if (r.espruino) expect(r.espruino.events()[0]!.reason).toEqual(expect.any(String));
  });
});
