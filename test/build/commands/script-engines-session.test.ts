// `tinyiot script` sessions on --engine node and --engine espruino at once against one mosquitto
// (plain TCP): the same events and exit codes, and what each engine's client did as the broker saw
// it. Without an Espruino interpreter only the node half runs (test/support/scriptEngines.ts).
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binary.js';
import { startMosquitto, type Broker } from '../../support/brokers.js';
import { engines, runEngines, sameOnBoth, TAGS } from '../../support/scriptEngines.js';
import { useScriptDir } from '../../support/scriptHarness.js';
import { until } from '../../support/wait.js';

const d = useScriptDir();
const mosq = requireBinary('mosquitto');

describe.skipIf(mosq.missing)('tinyiot script sessions, both engines against mosquitto', () => {
  let broker: Broker;
  let other: mqtt.MqttClient;
  const local = (steps: unknown[]) => ({ host: '127.0.0.1', port: broker.port, tls: false, steps });
  /** Payloads the other client got, by topic. */
  const heard: Record<string, string[]> = {};
  beforeAll(async () => {
    broker = await startMosquitto();
    other = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { reconnectPeriod: 0 });
    other.on('message', (t, m) => (heard[t] ??= []).push(m.toString()));
    await other.subscribeAsync('+/will/#', { qos: 1 });
  });
  afterAll(async () => {
    await other?.endAsync();
    await broker?.stop();
  });
  /** Resolves once mosquitto logged that this client's socket closed without DISCONNECT. */
  const dropped = (id: string) => until(() => broker.log().includes(`Client ${id} closed its connection`), `the broker to see ${id} drop`);

  it('publishes and receives at QoS 0, 1 and 2 both ways, UTF-8 and binary payloads, pings through a wait, unsubscribes', async () => {
    const sent: Promise<unknown>[] = [];
    const r = await runEngines(
      d.dir,
      'qos.json',
      local([
        { op: 'connect', clientId: 'qos', clean: true, keepalive: 1 },
        { op: 'subscribe', filters: [{ topic: 'q/#', qos: 2 }] },
        { op: 'publish', topic: 'q/0', payload: 'zero', qos: 0, await: true },
        { op: 'publish', topic: 'q/1', payload: 'één ✓ 😀', qos: 1, await: true },
        { op: 'publish', topic: 'q/2', payloadHex: 'ff00c3', qos: 2, await: true },
        // Longer than 1.5 keepalives: without PINGREQs the broker would hang up.
        { op: 'wait', ms: 2500 },
        { op: 'unsubscribe', filters: ['q/#'] },
        { op: 'publish', topic: 'q/after', payload: 'unheard', qos: 1, await: true },
        { op: 'disconnect' },
      ]),
      (e, tag) => {
        // Once its own messages are through, the other client sends it one at each QoS.
        if (e.ev === 'published' && e.topic === `${tag}/q/2`) {
          sent.push(
            (async () => {
              for (const qos of [0, 1, 2] as const) await other.publishAsync(`${tag}/q/in/${qos}`, `in ${qos} ✓`, { qos });
            })(),
          );
        }
      },
    );
    await Promise.all(sent);
    expect(r.node.stderr).toBe('');
    expect(r.node.code).toBe(0);
    const events = sameOnBoth(r);
    expect(events.filter((e) => e.ev !== 'message')).toEqual([
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'suback', codes: [2] },
      { ev: 'published', topic: 'q/0', qos: 0 },
      { ev: 'published', topic: 'q/1', qos: 1 },
      { ev: 'published', topic: 'q/2', qos: 2 },
      { ev: 'unsuback' },
      { ev: 'published', topic: 'q/after', qos: 1 },
      { ev: 'closed', how: 'disconnect' },
    ]);
    const m = { retain: false, dup: false };
    expect(events.filter((e) => e.ev === 'message')).toEqual([
      { ev: 'message', topic: 'q/0', payload: 'zero', qos: 0, ...m },
      { ev: 'message', topic: 'q/1', payload: 'één ✓ 😀', qos: 1, ...m },
      { ev: 'message', topic: 'q/2', payloadHex: 'ff00c3', qos: 2, ...m },
      { ev: 'message', topic: 'q/in/0', payload: 'in 0 ✓', qos: 0, ...m },
      { ev: 'message', topic: 'q/in/1', payload: 'in 1 ✓', qos: 1, ...m },
      { ev: 'message', topic: 'q/in/2', payload: 'in 2 ✓', qos: 2, ...m },
    ]);
  });

  it('keeps a session across a drop: the will goes out, and what was queued meanwhile arrives after the reconnect', async () => {
    const sent: Promise<unknown>[] = [];
    const r = await runEngines(
      d.dir,
      'persist.json',
      local([
        { op: 'connect', clientId: 'persist', clean: false, will: { topic: 'will/persist', payload: 'gone ✓', qos: 1 } },
        { op: 'subscribe', filters: [{ topic: 'p/#', qos: 2 }] },
        { op: 'drop' },
        { op: 'wait', ms: 1500 },
        { op: 'connect', clientId: 'persist', clean: false },
        { op: 'wait', ms: 500 },
        { op: 'disconnect' },
      ]),
      (e, tag) => {
        if (e.ev !== 'closed' || e.how !== 'drop') return;
        // Sent once the broker knows the socket is gone, so it is queued, not written to that socket.
        sent.push(
          (async () => {
            await dropped(`persist-${tag}`);
            await other.publishAsync(`${tag}/p/1`, 'away 1', { qos: 1 });
            await other.publishAsync(`${tag}/p/2`, 'away 2', { qos: 2 });
          })(),
        );
      },
    );
    await Promise.all(sent);
    expect(r.node.code).toBe(0);
    const m = { retain: false, dup: false };
    expect(sameOnBoth(r)).toEqual([
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'suback', codes: [2] },
      { ev: 'closed', how: 'drop' },
      { ev: 'connack', rc: 0, sessionPresent: true },
      { ev: 'message', topic: 'p/1', payload: 'away 1', qos: 1, ...m },
      { ev: 'message', topic: 'p/2', payload: 'away 2', qos: 2, ...m },
      { ev: 'closed', how: 'disconnect' },
    ]);
    for (const engine of engines) {
      const tag = TAGS[engine];
      await until(() => !!heard[`${tag}/will/persist`], `the will of the ${engine} engine's dropped connection`);
      expect(heard[`${tag}/will/persist`]).toEqual(['gone ✓']);
    }
  });

  it('takes a connect while connected as a reconnect: the QoS 1 message in flight is sent again and acknowledged', async () => {
    const r = await runEngines(
      d.dir,
      'recon.json',
      local([
        { op: 'connect', clientId: 'recon', clean: false },
        // No await: the reconnect that follows may close the socket before the PUBACK is read.
        { op: 'publish', topic: 'r/1', payload: 'in flight', qos: 1 },
        { op: 'connect', clientId: 'recon', clean: false },
        { op: 'wait', ms: 300 },
        { op: 'disconnect' },
      ]),
    );
    expect(r.node.code).toBe(0);
    expect(sameOnBoth(r)).toEqual([
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'connack', rc: 0, sessionPresent: true },
      { ev: 'published', topic: 'r/1', qos: 1 },
      { ev: 'closed', how: 'disconnect' },
    ]);
    // The first connection ended with DISCONNECT, not a drop.
    for (const engine of engines) expect(broker.log()).not.toContain(`Client recon-${TAGS[engine]} closed its connection`);
  });

  it('ends with DISCONNECT when the script ends while connected, so the broker publishes no will', async () => {
    const r = await runEngines(
      d.dir,
      'open-end.json',
      local([
        { op: 'connect', clientId: 'open-end', clean: true, will: { topic: 'will/open-end', payload: 'gone', qos: 1 } },
        { op: 'subscribe', filters: [{ topic: 'x/y', qos: 0 }] },
      ]),
    );
    expect(r.node.code).toBe(0);
    expect(sameOnBoth(r)).toEqual([
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'suback', codes: [0] },
    ]);
    for (const engine of engines) {
      const id = `open-end-${TAGS[engine]}`;
      await until(() => broker.log().includes(`Client ${id} disconnected.`), `the DISCONNECT of the ${engine} engine`);
      expect(broker.log()).not.toContain(`Client ${id} closed its connection`);
    }
  });

  it('with --keep-going reports a connection the broker ends (another client takes its id) and refuses what needs one afterwards', async () => {
    const takeovers: Promise<unknown>[] = [];
    const r = await runEngines(
      d.dir,
      'taken.json',
      local([
        { op: 'connect', clientId: 'taken', clean: true },
        { op: 'wait', ms: 3000 },
        { op: 'publish', topic: 't/1', payload: 'x', qos: 1, await: true },
        { op: 'disconnect' },
      ]),
      (e, tag) => {
        if (e.ev === 'connack') {
          takeovers.push(mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: `taken-${tag}`, reconnectPeriod: 0 }).then((c) => c.endAsync()));
        }
      },
      ['--keep-going'],
    );
    await Promise.all(takeovers);
    expect(r.node.code).toBe(0);
    expect(sameOnBoth(r)).toEqual([
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'closed', how: 'remote' },
      { ev: 'error', msg: 'step 3 (publish): not connected, so no acknowledgement can come' },
      { ev: 'error', msg: 'step 4 (disconnect): not connected' },
    ]);
    expect(r.node.events()[1]).toHaveProperty('reason');
  });
});
