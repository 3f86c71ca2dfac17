// `tinyiot script` with the same client and runner against a second, independent broker implementation.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../../support/binary.js';
import { startMosquitto } from '../../support/brokers.js';
import { messages, useScriptDir } from '../../support/scriptHarness.js';
import { runCli } from '../cliRun.js';

const d = useScriptDir();
const mosq = requireBinary('mosquitto');
describe.skipIf(mosq.missing)('tinyiot script against mosquitto (plain TCP)', () => {
  it('runs a session and gets its own messages back', async () => {
    const m = await startMosquitto();
    try {
      const p = join(d.dir, 'mosquitto.json');
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
