// For `tinyiot script` end to end (test/build/commands/script-*.test.ts): a temporary directory for
// script files, and aedes over TLS on 127.0.0.1 with hooks that let a test see and steer what the
// broker does. Call the use* functions at the top of a test file: they register beforeAll/afterAll.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from './embeddedBroker.js';
import { until } from './wait.js';

/** A fresh directory for the file's tests; `dir` is set once beforeAll has run. */
export function useScriptDir(): { dir: string } {
  const h = { dir: '' };
  beforeAll(async () => {
    h.dir = await mkdtemp(join(tmpdir(), 'tinyiot-script-'));
  });
  afterAll(() => rm(h.dir, { recursive: true, force: true }));
  return h;
}

export function useScriptBroker() {
  const d = useScriptDir();
  let b: EmbeddedBroker;
  /** Client ids aedes saw disconnect, and PINGREQs per client id. */
  const gone: string[] = [];
  const pings: Record<string, number> = {};
  /** Every PUBLISH aedes was asked to authorize (wills included, just before clientDisconnect), as "id topic dup". */
  const publishes: string[] = [];

  /** Writes a script for this broker (TLS with its CA as ca.pem); `body` adds to or overrides that. */
  async function script(name: string, body: Record<string, unknown>): Promise<string> {
    const p = join(d.dir, name);
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

  /** Another client subscribed to `topic` at QoS 1, collecting the payloads it gets as text. */
  async function watch(topic: string): Promise<{ got: string[]; end: () => Promise<void> }> {
    const c = await other();
    const got: string[] = [];
    await c.subscribeAsync(topic, { qos: 1 });
    c.on('message', (_t, m) => got.push(m.toString()));
    return { got, end: () => c.endAsync() };
  }

  beforeAll(async () => {
    b = await startEmbeddedBroker({ tls: true });
    await writeFile(join(d.dir, 'ca.pem'), b.ca!);
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
  afterAll(() => b.stop());

  return { d, gone, pings, publishes, script, other, watch };
}

export const messages = (ev: Record<string, unknown>[]) => ev.filter((e) => e.ev === 'message');
