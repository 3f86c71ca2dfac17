// A throwaway MQTT broker (aedes) on a free loopback port, behind TLS with a CA made at run time,
// so the demo needs no installed broker and still exercises certificate verification.
import type { AddressInfo, Server } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';
import { generate } from 'selfsigned';

export interface EmbeddedBroker {
  host: string;
  port: number;
  /** PEM of the CA that signed the server certificate; undefined for plain TCP. */
  ca?: string;
  /** The broker itself, for hooks (authenticate, authorizePublish ...) and events. */
  aedes: Aedes;
  stop(): Promise<void>;
}

// EC keys: generation takes milliseconds where RSA 2048 can take a second or more.
const keys = { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' } as const;

function validity(): { notBeforeDate: Date; notAfterDate: Date } {
  // Backdated so a clock a little behind still accepts it; one day is plenty for a throwaway.
  const now = Date.now();
  return { notBeforeDate: new Date(now - 3_600_000), notAfterDate: new Date(now + 86_400_000) };
}

/** A CA and a server certificate for 127.0.0.1/localhost signed by it. */
export async function makeServerCert(): Promise<{ ca: string; cert: string; key: string }> {
  const ca = await generate([{ name: 'commonName', value: 'tinyiot throwaway CA' }], {
    ...keys,
    ...validity(),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    ...keys,
    ...validity(),
    ca: { cert: ca.cert, key: ca.private },
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { ca: ca.cert, cert: server.cert, key: server.private };
}

export async function startEmbeddedBroker(opts: { tls: boolean }): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const pki = opts.tls ? await makeServerCert() : undefined;
  const server: Server = pki
    ? createTlsServer({ cert: pki.cert, key: pki.key }, broker.handle)
    : createTcpServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    ca: pki?.ca,
    aedes: broker,
    stop: () =>
      new Promise<void>((resolve) => {
        // Close the listener, then aedes, which ends the clients still connected.
        server.close();
        broker.close(() => resolve());
      }),
  };
}
