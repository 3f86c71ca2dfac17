// Stopping the hub and starting it again on the same port and data folder: stop() ends every
// socket, even one that never sent CONNECT or never finished its TLS handshake (either would hold
// server.close() for 30 or 120 s), and the new hub takes the same port, CA and device keys.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, expect, it } from 'vitest';
import type { Hub } from '../../../build/hub/server.js';
import { bounded } from '../../support/hubDevice.js';
import { until } from '../../support/wait.js';
import { rawDevice, startTestHub, tempDir } from './rig.js';

const tmp = tempDir();
let hub: Hub | undefined;
afterAll(async () => {
  await hub?.stop();
  tmp.cleanup();
});

const closed = (s: Socket) => {
  const st = { closed: false };
  s.on('close', () => (st.closed = true)).on('error', () => {});
  return st;
};

it('stops despite silent sockets, and starts again on the same port with the same CA and keys', async () => {
  const first = await startTestHub(tmp.dir);
  hub = first;
  first.registry.add('r1');
  const connected = rawDevice(first, 'r1');
  expect(await connected.connack()).toBe(0);
  // TLS done, no CONNECT yet; and a TCP client that never starts TLS.
  const quiet = tlsConnect({ host: '127.0.0.1', port: first.port, ca: first.caPem, servername: 'localhost' });
  await new Promise((r) => quiet.once('secureConnect', r));
  const tcp = netConnect(first.port, '127.0.0.1');
  await new Promise((r) => tcp.once('connect', r));
  const q = closed(quiet);
  const t = closed(tcp);
  await until(() => first.connected('r1'), 'r1 at the hub');

  await bounded(first.stop(), 'stop() with silent sockets open');
  hub = undefined;
  await until(() => connected.closed && q.closed && t.closed, 'every client socket to be closed');

  const second = await startTestHub(tmp.dir, { port: first.port });
  hub = second;
  expect(second.port).toBe(first.port);
  expect(second.caPem).toBe(first.caPem);
  // rawDevice trusts second.caPem and signs with the key read back from the registry.
  const again = rawDevice(second, 'r1');
  expect(await again.connack()).toBe(0);
  again.end();
});
