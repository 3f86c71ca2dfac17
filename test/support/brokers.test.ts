// Self-test of the broker rig with a reference client (MQTT.js), so a failure in the integration
// tests points at our client, not at the rig.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from './binary.js';
import { type Broker, mosquittoConfig, startAedes, startMosquitto } from './brokers.js';
import { makePki, type Pki } from './certs.js';

let pki: Pki;
beforeAll(async () => {
  pki = await makePki();
});
afterAll(() => pki?.cleanup());

/** Connects, then round-trips one QoS 1 message through the broker; returns 'ok' or the error message. */
async function probe(port: number, secure: boolean, ca?: string): Promise<string> {
  const c = mqtt.connect({
    host: '127.0.0.1',
    port,
    protocol: secure ? 'mqtts' : 'mqtt',
    ca,
    rejectUnauthorized: true,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  try {
    return await new Promise<string>((resolve) => {
      c.on('error', (e) => resolve(e.message));
      c.on('close', () => resolve('closed'));
      c.on('message', (_t, p) => resolve(p.toString() === 'ping' ? 'ok' : `bad payload ${p.toString()}`));
      c.on('connect', () => {
        c.subscribe('rig/self', { qos: 1 }, (err) => {
          if (err) resolve(err.message);
          else c.publish('rig/self', 'ping', { qos: 1 });
        });
      });
    });
  } finally {
    c.end(true);
  }
}

const kinds: [string, (o: Parameters<typeof startAedes>[0]) => Promise<Broker>, boolean][] = [
  ['aedes', startAedes, false],
  ['mosquitto', startMosquitto, requireBinary('mosquitto').missing],
];

for (const [name, start, missing] of kinds) {
  describe.skipIf(missing)(`${name} rig`, () => {
    it('serves plain TCP and comes back on the same port after a restart', async () => {
      const b = await start({});
      try {
        expect(await probe(b.port, false)).toBe('ok');
        await b.restart('SIGKILL');
        expect(await probe(b.port, false)).toBe('ok');
      } finally {
        await b.stop();
      }
    });

    it('serves TLS to a client that trusts our CA and fails one that trusts another', async () => {
      const b = await start({ tls: { certPath: pki.server.certPath, keyPath: pki.server.keyPath, caPath: pki.ca.certPath } });
      try {
        expect(b.tls).toBe(true);
        expect(await probe(b.port, true, pki.ca.cert)).toBe('ok');
        expect(await probe(b.port, true, pki.otherCa.cert)).toMatch(/self[- ]signed|unable to (verify|get local issuer)/i);
        expect(await probe(b.port, false)).not.toBe('ok');
      } finally {
        await b.stop();
      }
    });

    it('refuses connections once stopped', async () => {
      const b = await start({});
      await b.stop();
      expect(await probe(b.port, false)).toMatch(/ECONNREFUSED/);
    });
  });
}

describe('mosquittoConfig', () => {
  it('listens on loopback only, persists on every change, and names TLS files', () => {
    const conf = mosquittoConfig(1234, '/d', { caPath: '/c/ca.crt', certPath: '/c/s.crt', keyPath: '/c/s.key' });
    expect(conf).toMatch(/^listener 1234 127\.0\.0\.1$/m);
    expect(conf).toMatch(/^persistence_location \/d\/$/m);
    expect(conf).toMatch(/^autosave_on_changes true$/m);
    expect(conf).toMatch(/^autosave_interval 1$/m);
    expect(conf).toMatch(/^cafile \/c\/ca\.crt$/m);
    expect(conf).toMatch(/^keyfile \/c\/s\.key$/m);
    expect(mosquittoConfig(1, '/d')).not.toMatch(/cafile/);
  });

  it('ends with the extra settings, so they win over the defaults', () => {
    expect(mosquittoConfig(1, '/d', undefined, ['allow_anonymous false'])).toMatch(/allow_anonymous true\n[^]*allow_anonymous false\n$/);
  });
});
