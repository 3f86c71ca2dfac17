// Every script in examples/scripts/ on both engines at once against mosquitto over plain TCP (the
// examples' own host and port replaced; Espruino's TLS cannot do the test PKI's ECDSA certificates
// and TLS is not what is compared here): the same events and exit codes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binary.js';
import { startMosquitto, type Broker } from '../../support/brokers.js';
import { runEngines, sameOnBoth } from '../../support/scriptEngines.js';
import { useScriptDir } from '../../support/scriptHarness.js';
import { until } from '../../support/wait.js';
import { ROOT } from '../cliRun.js';

const EXAMPLES = join(ROOT, 'examples', 'scripts');
const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));

type Json = Record<string, any>;

/** A topic each subscription filter of the script matches, for messages sent while it is away. */
const matching = (script: Json): string[] =>
  script.steps.filter((s: Json) => s.op === 'subscribe').flatMap((s: Json) => s.filters.map((f: Json) => f.topic.replace(/[#+]/g, 'away')));

const d = useScriptDir();
const mosq = requireBinary('mosquitto');
describe.skipIf(mosq.missing)('every example script, --engine node and --engine espruino against mosquitto', () => {
  let broker: Broker;
  let publisher: mqtt.MqttClient;
  beforeAll(async () => {
    broker = await startMosquitto();
    publisher = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { reconnectPeriod: 0 });
  });
  afterAll(async () => {
    await publisher?.endAsync();
    await broker?.stop();
  });

  it('has examples to run', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of examples) {
    it(file, async () => {
      const script: Json = JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8'));
      const { ca: _ca, cert: _cert, key: _key, ...rest } = script;
      const local: Json = { ...rest, host: '127.0.0.1', port: broker.port, tls: false };
      const sent: Promise<unknown>[] = [];
      const id = local.steps.find((s: Json) => s.op === 'connect').clientId;
      // While a dropped session is away, the broker queues what is published to its subscriptions.
      // Published once the broker saw the socket close: sent to the closing socket, it would come
      // again after the reconnect as a re-delivery (dup), depending on who was faster.
      const away = async (tag: string) => {
        await until(() => broker.log().includes(`Client ${id}-${tag} closed its connection`), 'the broker to see the drop');
        await Promise.all(matching(local).map((t) => publisher.publishAsync(`${tag}/${t}`, 'while away', { qos: 1 })));
      };
      const r = await runEngines(d.dir, file, local, (e, tag) => {
        if (e.ev === 'closed' && e.how === 'drop') sent.push(away(tag));
      });
      await Promise.all(sent);
      expect(r.node.stderr).toBe('');
      expect(r.node.code).toBe(0);
      const events = sameOnBoth(r);
      expect(events.filter((e) => e.ev === 'error')).toEqual([]);
      expect(events[0]).toEqual({ ev: 'connack', rc: 0, sessionPresent: false });
      expect(events.at(-1)).toEqual({ ev: 'closed', how: 'disconnect' });
      if (sent.length) {
        // Reconnected to the kept session, which had queued the message.
        const back = events.findIndex((e, i) => i > 0 && e.ev === 'connack');
        expect(events[back]).toEqual({ ev: 'connack', rc: 0, sessionPresent: true });
        expect(events.slice(back)).toContainEqual(expect.objectContaining({ ev: 'message', payload: 'while away', qos: 1 }));
      } else {
        expect(events.filter((e) => e.ev === 'message').length).toBeGreaterThan(0);
      }
    });
  }
});
