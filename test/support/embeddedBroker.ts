// An in-process aedes broker on a free loopback port, optionally behind TLS with the test PKI,
// exposing the aedes instance so tests can hook authenticate/authorizePublish and its events.
import type { AddressInfo, Server } from 'node:net';
import { createServer as createTcpServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';
import { makePki } from './certs.js';

export interface EmbeddedBroker {
  host: string;
  port: number;
  /** PEM of the CA that signed the server certificate; undefined for plain TCP. */
  ca?: string;
  aedes: Aedes;
  stop(): Promise<void>;
}

export async function startEmbeddedBroker(opts: { tls: boolean }): Promise<EmbeddedBroker> {
  const broker = await Aedes.createBroker();
  const pki = opts.tls ? await makePki() : undefined;
  const server: Server = pki
    ? createTlsServer({ cert: pki.server.cert, key: pki.server.key }, broker.handle)
    : createTcpServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    ca: pki?.ca.cert,
    aedes: broker,
    stop: () =>
      new Promise<void>((resolve) => {
        // Close the listener, then aedes, which ends the clients still connected.
        server.close();
        broker.close(() => {
          pki?.cleanup();
          resolve();
        });
      }),
  };
}
