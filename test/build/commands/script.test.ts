// `tinyiot script` end to end: the real binary, the firmware client, real sockets on 127.0.0.1.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../support/embeddedBroker.js';
import { requireBinary } from '../../support/binary.js';
import { startMosquitto } from '../../support/brokers.js';
import { freePort } from '../../support/ports.js';
import { until } from '../../support/wait.js';
import { runCli } from '../cliRun.js';

let dir: string;
let b: EmbeddedBroker;
/** Client ids aedes saw disconnect, and PINGREQs per client id. */
const gone: string[] = [];
const pings: Record<string, number> = {};
/** Every PUBLISH aedes was asked to authorize (wills included, just before clientDisconnect), as "id topic dup". */
const publishes: string[] = [];

async function script(name: string, body: Record<string, unknown>): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, JSON.stringify({ host: '127.0.0.1', port: b.port, ca: 'ca.pem', ...body }));
  return p;
}

/** Another MQTT client (MQTT.js), to publish and watch independently of the script. */
function other(): Promise<mqtt.MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(`mqtts://127.0.0.1:${b.port}`, { ca: b.ca, reconnectPeriod: 0 });
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tinyiot-script-'));
  b = await startEmbeddedBroker({ tls: true });
  await writeFile(join(dir, 'ca.pem'), b.ca!);
  const a = b.aedes;
  a.on('clientDisconnect', (c) => gone.push(c.id));
  a.on('ping', (_p, c) => (pings[c.id] = (pings[c.id] ?? 0) + 1));
  a.authenticate = (client, username, _password, done) => {
    if (username === 'bad') return done(null, false);
    if (username !== 'gate') return done(null, true);
    // Hold this CONNECT until the dropped connection is gone and another client has published
    // to the session's subscription, so the message can only reach the script through the session.
    void (async () => {
      await until(() => gone.includes(client.id), 'the dropped connection to close');
      const c = await other();
      await c.publishAsync('t/persist', 'while away', { qos: 1 });
      await c.endAsync();
      done(null, true);
    })();
  };
  a.authorizeSubscribe = (_client, sub, done) => done(null, sub.topic.startsWith('deny/') ? null : sub);
  // The first PUBLISH to kick/me makes aedes drop the connection; a re-send is let through.
  let kicks = 0;
  a.authorizePublish = (client, packet, done) => (publishes.push(`${client?.id} ${packet.topic} ${!!packet.dup}`), done(packet.topic === 'kick/me' && !kicks++ ? new Error('not allowed here') : null));
});

afterAll(async () => {
  await b.stop();
  await rm(dir, { recursive: true, force: true });
});

const messages = (ev: Record<string, unknown>[]) => ev.filter((e) => e.ev === 'message');

describe('tinyiot script over TLS against aedes', () => {
  it('connects, subscribes, publishes at every QoS, receives, unsubscribes and disconnects', async () => {
    const p = await script('full.json', {
      steps: [
        { op: 'connect', clientId: 'full', clean: true, keepalive: 30 },
        { op: 'subscribe', filters: [{ topic: 't/full/#', qos: 2 }, { topic: 'deny/x', qos: 1 }] },
        { op: 'publish', topic: 't/full/q0', payload: 'zero', qos: 0, await: true },
        { op: 'publish', topic: 't/full/q1', payload: 'one ✓', qos: 1, await: true },
        { op: 'publish', topic: 't/full/q2', payloadHex: 'ff00', qos: 2, await: true },
        { op: 'wait', ms: 500 },
        { op: 'unsubscribe', filters: ['t/full/#'] },
        { op: 'publish', topic: 't/full/after', payload: 'unheard', qos: 1, await: true },
        { op: 'disconnect' },
      ],
    });
    const r = await runCli(['script', p]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ev = r.events();
    expect(ev[0]).toEqual({ ev: 'connack', rc: 0, sessionPresent: false });
    expect(ev[1]).toEqual({ ev: 'suback', codes: [2, 128] });
    expect(ev.filter((e) => e.ev === 'published')).toEqual([
      { ev: 'published', topic: 't/full/q0', qos: 0 },
      { ev: 'published', topic: 't/full/q1', qos: 1 },
      { ev: 'published', topic: 't/full/q2', qos: 2 },
      { ev: 'published', topic: 't/full/after', qos: 1 },
    ]);
    expect(messages(ev)).toEqual([
      { ev: 'message', topic: 't/full/q0', payload: 'zero', qos: 0, retain: false, dup: false },
      { ev: 'message', topic: 't/full/q1', payload: 'one ✓', qos: 1, retain: false, dup: false },
      { ev: 'message', topic: 't/full/q2', payloadHex: 'ff00', qos: 2, retain: false, dup: false },
    ]);
    expect(ev.indexOf(ev.find((e) => e.ev === 'unsuback')!)).toBeGreaterThan(ev.indexOf(messages(ev)[2]!));
    expect(ev.at(-1)).toEqual({ ev: 'closed', how: 'disconnect' });
    expect(ev.filter((e) => e.ev === 'error')).toEqual([]);
  });

  it('ends with DISCONNECT and exits 0 when the script ends while connected, so no will is published', async () => {
    const p = await script('open-end.json', {
      steps: [
        { op: 'connect', clientId: 'open-end', clean: true, will: { topic: 't/will/open-end', payload: 'gone', qos: 0 } },
        { op: 'subscribe', filters: [{ topic: 'x/y', qos: 0 }] },
      ],
    });
    const r = await runCli(['script', p]);
    expect(r.code).toBe(0);
    expect(r.events()).toEqual([
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'suback', codes: [0] },
    ]);
    await until(() => gone.includes('open-end'), 'the broker to see the connection close');
    // aedes authorizes a will before it reports the disconnect, so by now it would be listed.
    expect(publishes.filter((x) => x.startsWith('open-end '))).toEqual([]);
  });

  it('a connect while connected is a reconnect: DISCONNECT, new CONNACK, and the QoS 1 message in flight is sent again', async () => {
    const watcher = await other();
    const got: string[] = [];
    await watcher.subscribeAsync('t/recon', { qos: 1 });
    watcher.on('message', (_t, m) => got.push(m.toString()));
    try {
      const p = await script('recon.json', {
        steps: [
          { op: 'connect', clientId: 'recon', clean: false, will: { topic: 't/will/recon', payload: 'gone', qos: 0 } },
          // No await: the reconnect that follows closes the socket before any PUBACK can be read.
          { op: 'publish', topic: 't/recon', payload: 'in flight', qos: 1 },
          { op: 'connect', clientId: 'recon', clean: false },
          { op: 'wait', ms: 300 },
          { op: 'disconnect' },
        ],
      });
      const r = await runCli(['script', p]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.events()).toEqual([
        { ev: 'connack', rc: 0, sessionPresent: false },
        // aedes reports a present session only when it holds subscriptions for it; none here.
        { ev: 'connack', rc: 0, sessionPresent: false },
        { ev: 'published', topic: 't/recon', qos: 1 },
        { ev: 'closed', how: 'disconnect' },
      ]);
      // The copy acknowledged after the reconnect is the re-sent one, DUP set.
      expect(publishes).toContain('recon t/recon true');
      await until(() => got.length > 0, 'the watcher to get the message');
      expect(got.every((m) => m === 'in flight')).toBe(true);
      // The first connection ended with DISCONNECT, so its will was not published.
      expect(publishes.filter((x) => x.startsWith('recon t/will'))).toEqual([]);
    } finally {
      await watcher.endAsync();
    }
  });

  it('a second connect with clean=false keeps the session: a QoS 1 message sent while dropped arrives', async () => {
    const watcher = await other();
    const wills: string[] = [];
    await watcher.subscribeAsync('t/will', { qos: 1 });
    watcher.on('message', (_t, m) => wills.push(m.toString()));
    try {
      const p = await script('persist.json', {
        steps: [
          { op: 'connect', clientId: 'persist', clean: false, will: { topic: 't/will', payload: 'first gone', qos: 1 } },
          { op: 'subscribe', filters: [{ topic: 't/persist', qos: 1 }] },
          { op: 'drop' },
          { op: 'connect', clientId: 'persist', clean: false, username: 'gate' },
          { op: 'wait', ms: 1000 },
          { op: 'disconnect' },
        ],
      });
      const r = await runCli(['script', p]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.events()).toEqual([
        { ev: 'connack', rc: 0, sessionPresent: false },
        { ev: 'suback', codes: [1] },
        { ev: 'closed', how: 'drop' },
        { ev: 'connack', rc: 0, sessionPresent: true },
        { ev: 'message', topic: 't/persist', payload: 'while away', qos: 1, retain: false, dup: false },
        { ev: 'closed', how: 'disconnect' },
      ]);
      // drop sent no DISCONNECT, so the broker published the first connection's will.
      await until(() => wills.length > 0, 'the will of the dropped connection');
      expect(wills).toEqual(['first gone']);
    } finally {
      await watcher.endAsync();
    }
  });

  it('reports refused operations as error events and carries on', async () => {
    const p = await script('refused.json', {
      steps: [
        { op: 'connect', clientId: '', clean: false },
        { op: 'connect', clientId: 'refused', clean: true, username: 'bad', password: 'not-this' },
        { op: 'subscribe', filters: [{ topic: 'x', qos: 0 }] },
        { op: 'connect', clientId: 'kicked', clean: true },
        { op: 'publish', topic: 'kick/me', payload: 'x', qos: 1, await: true },
        { op: 'publish', topic: 'a/b', payload: 'x', qos: 1, await: true },
        { op: 'connect', clientId: 'kicked', clean: true },
        { op: 'publish', topic: 'a/b', payload: 'y', qos: 1, await: true },
        { op: 'disconnect' },
      ],
    });
    const r = await runCli(['script', p]);
    expect(r.code).toBe(0);
    const ev = r.events();
    expect(ev[0]).toEqual({ ev: 'error', msg: expect.stringMatching(/^step 1 \(connect\): \[MQTT-3\.1\.3-7\] /) });
    expect(ev[1]).toEqual({ ev: 'connack', rc: 5, sessionPresent: false });
    expect(ev[2]).toEqual({ ev: 'error', msg: expect.stringContaining('(rc 5)') });
    expect(ev[3]).toMatchObject({ ev: 'closed', how: 'remote' });
    expect(ev[4]).toEqual({ ev: 'error', msg: 'step 3 (subscribe): not connected' });
    expect(ev[5]).toEqual({ ev: 'connack', rc: 0, sessionPresent: false });
    // The broker hangs up instead of sending PUBACK: reported, and the script goes on.
    expect(ev.slice(6)).toContainEqual(expect.objectContaining({ ev: 'closed', how: 'remote' }));
    expect(ev.slice(6)).toContainEqual({ ev: 'error', msg: 'step 5 (publish): connection closed before PUBACK' });
    expect(ev.slice(6)).toContainEqual({ ev: 'error', msg: 'step 6 (publish): not connected, so no acknowledgement can come' });
    // The same client object reconnects with its in-flight QoS 1 message and sends it again; its
    // PUBACK comes before the one for the publish that followed.
    expect(ev.slice(-4)).toEqual([
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'published', topic: 'kick/me', qos: 1 },
      { ev: 'published', topic: 'a/b', qos: 1 },
      { ev: 'closed', how: 'disconnect' },
    ]);
    // The password never appears in what the tool prints.
    expect(r.stdout + r.stderr).not.toContain('not-this');
  });

  it('keeps the connection alive through a wait with PINGREQs', async () => {
    const p = await script('keepalive.json', {
      steps: [
        { op: 'connect', clientId: 'pinger', clean: true, keepalive: 1 },
        { op: 'wait', ms: 2500 },
        { op: 'disconnect' },
      ],
    });
    const r = await runCli(['script', p]);
    expect(r.code).toBe(0);
    expect(r.events()).toEqual([
      { ev: 'connack', rc: 0, sessionPresent: false },
      { ev: 'closed', how: 'disconnect' },
    ]);
    expect(pings.pinger).toBeGreaterThanOrEqual(1);
  });
});

describe('tinyiot script exit codes', () => {
  let silent: Server;
  let accepted = 0;
  beforeAll(async () => {
    // Accepts TCP connections and never answers: no CONNACK will ever come.
    silent = createServer((s) => {
      accepted++;
      // Read and discard, so the close of the other end is seen and the server can shut down.
      s.resume();
      s.on('error', () => {});
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => silent.close(() => r())));
  const silentPort = () => (silent.address() as { port: number }).port;

  it('exits 1 with an error event when an ack does not come in time', async () => {
    const p = await script('timeout.json', {
      port: silentPort(),
      tls: false,
      ca: undefined,
      timeout: 300,
      steps: [{ op: 'connect', clientId: 'waits', clean: true }, { op: 'disconnect' }],
    });
    const r = await runCli(['script', p]);
    expect(r.code).toBe(1);
    expect(r.events()).toContainEqual({ ev: 'error', msg: expect.stringContaining('no CONNACK within 300 ms') });
  });

  it('exits 1 when the broker cannot be reached', async () => {
    const p = await script('unreachable.json', {
      port: await freePort(),
      steps: [{ op: 'connect', clientId: 'nobody', clean: true }, { op: 'disconnect' }],
    });
    const r = await runCli(['script', p]);
    expect(r.code).toBe(1);
    expect(r.events()).toEqual([{ ev: 'error', msg: expect.stringMatching(/ECONNREFUSED/) }]);
  });

  it('exits 2 on a malformed script, naming step and field, and sends nothing', async () => {
    const before = accepted;
    const p = await script('bad.json', {
      port: silentPort(),
      tls: false,
      ca: undefined,
      steps: [
        { op: 'connect', clientId: 'c', clean: true },
        { op: 'wait', ms: 10 },
        { op: 'publish', topic: 'a', payload: 'x', qos: 3 },
      ],
    });
    const r = await runCli(['script', p]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe("tinyiot script: step 3 (publish): 'qos' must be 0, 1 or 2\n");
    expect(accepted).toBe(before);
  });

  it('exits 2 on a bad topic or filter, naming step and field, and sends nothing', async () => {
    const before = accepted;
    const bad = async (step: Record<string, unknown>) => {
      const p = await script('bad-topic.json', {
        port: silentPort(),
        tls: false,
        ca: undefined,
        steps: [{ op: 'connect', clientId: 'c', clean: true }, step],
      });
      const r = await runCli(['script', p]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      return r.stderr;
    };
    expect(await bad({ op: 'publish', topic: 'a/#', payload: 'x', qos: 0 })).toBe(
      "tinyiot script: step 2 (publish): 'topic' must not contain the wildcards '+' or '#' [MQTT-3.3.2-2]\n",
    );
    expect(await bad({ op: 'subscribe', filters: [{ topic: 'a/#/b', qos: 0 }] })).toMatch(/^tinyiot script: step 2 \(subscribe\): 'filters\[0\]\.topic' may have '#' only/);
    expect(await bad({ op: 'unsubscribe', filters: ['a+'] })).toMatch(/^tinyiot script: step 2 \(unsubscribe\): 'filters\[0\]' may have '\+' only/);
    expect(accepted).toBe(before);
  });

  it('exits 2 on bad JSON and on a missing file', async () => {
    const bad = join(dir, 'broken.json');
    await writeFile(bad, '{"host": "127.0.0.1", "steps": [');
    const r1 = await runCli(['script', bad]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toBe('tinyiot script: script is not valid JSON (unexpected end of the text)\n');
    const r2 = await runCli(['script', join(dir, 'missing.json')]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/^tinyiot script: cannot read script '.*missing\.json': no such file\n$/);
  });
});

// The same client and runner against a second, independent broker implementation.
const mosq = requireBinary('mosquitto');
describe.skipIf(mosq.missing)('tinyiot script against mosquitto (plain TCP)', () => {
  it('runs a session and gets its own messages back', async () => {
    const m = await startMosquitto();
    try {
      const p = join(dir, 'mosquitto.json');
      await writeFile(
        p,
        JSON.stringify({
          host: '127.0.0.1',
          port: m.port,
          tls: false,
          steps: [
            { op: 'connect', clientId: 'mosq-script', clean: true },
            { op: 'subscribe', filters: [{ topic: 'm/#', qos: 2 }] },
            { op: 'publish', topic: 'm/1', payload: 'one', qos: 1, await: true },
            { op: 'publish', topic: 'm/2', payload: 'two', qos: 2, await: true },
            { op: 'wait', ms: 500 },
            { op: 'disconnect' },
          ],
        }),
      );
      const r = await runCli(['script', p]);
      expect(r.code).toBe(0);
      const ev = r.events();
      expect(ev[0]).toEqual({ ev: 'connack', rc: 0, sessionPresent: false });
      expect(ev[1]).toEqual({ ev: 'suback', codes: [2] });
      expect(messages(ev).map((e) => [e.topic, e.payload, e.qos])).toEqual([
        ['m/1', 'one', 1],
        ['m/2', 'two', 2],
      ]);
      expect(ev.at(-1)).toEqual({ ev: 'closed', how: 'disconnect' });
    } finally {
      await m.stop();
    }
  });
});
