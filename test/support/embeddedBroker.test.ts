import { connect as tlsConnect } from 'node:tls';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from './embeddedBroker.js';

function roundTrip(url: string, ca?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { ca, reconnectPeriod: 0, clientId: 'embedded-test' });
    c.on('error', reject);
    c.on('connect', () => {
      c.subscribe('t/x', { qos: 1 }, (err) => {
        if (err) return reject(err);
        c.publish('t/x', 'ping', { qos: 1 });
      });
    });
    c.on('message', (_topic, payload) => {
      c.end(true, () => resolve(payload.toString()));
    });
  });
}

describe('startEmbeddedBroker', () => {
  it('serves MQTT over TLS with a certificate its own CA verifies for 127.0.0.1', async () => {
    const b = await startEmbeddedBroker({ tls: true });
    try {
      expect(b.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect(await roundTrip(`mqtts://127.0.0.1:${b.port}`, b.ca)).toBe('ping');
      // Without the CA the certificate must not verify: the TLS is real, not a formality.
      const err = await new Promise<Error>((resolve) => {
        const s = tlsConnect({ host: '127.0.0.1', port: b.port }, () => resolve(new Error('verified without the CA')));
        s.on('error', resolve);
      });
      expect(err.message).toMatch(/self.signed|unable to (get|verify)/i);
    } finally {
      await b.stop();
    }
  });

  it('serves plain TCP when asked', async () => {
    const b = await startEmbeddedBroker({ tls: false });
    try {
      expect(b.ca).toBeUndefined();
      expect(await roundTrip(`mqtt://127.0.0.1:${b.port}`)).toBe('ping');
    } finally {
      await b.stop();
    }
  });
});
