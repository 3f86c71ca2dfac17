// Connections that never finish their TLS handshake, and floods of them (issue 9, item 6): the
// handshake deadline frees them, the caps per address and in total refuse the excess at once,
// and a device from another address connects all the while. Loopback has every 127/8 address,
// so the attacker dials from 127.0.0.2 and 127.0.0.3.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Hub } from '../../../build/hub/server.js';
import { until } from '../../support/wait.js';
import { rawDevice, startTestHub, tempDir } from './rig.js';

const tmp = tempDir();
let hub: Hub;
const logs: string[] = [];
const silent: Socket[] = [];

beforeAll(async () => {
  hub = await startTestHub(tmp.dir, { limits: { handshakeTimeoutMs: 2000, maxConnectionsPerAddress: 5, maxConnections: 8 } });
  hub.on('log', (l: string) => logs.push(l));
  hub.registry.add('legit');
});
afterAll(async () => {
  for (const s of silent) s.destroy();
  await hub.stop();
  tmp.cleanup();
});

let closes = 0;
/** A TCP connection from `from` that never starts TLS; `closed` turns true when the hub drops it, `order` counts closes. */
async function quiet(from: string): Promise<{ closed: boolean; order: number }> {
  const s = connect({ host: '127.0.0.1', port: hub.port, localAddress: from });
  silent.push(s);
  const st = { closed: false, order: 0 };
  s.on('close', () => ((st.closed = true), (st.order = ++closes))).on('error', () => {});
  await new Promise((r) => s.once('connect', r).once('close', r));
  return st;
}

async function legitConnects(): Promise<void> {
  const d = rawDevice(hub, 'legit');
  expect(await d.connack()).toBe(0);
  d.end();
  await until(() => !hub.connected('legit'), 'legit to leave');
}

it('drops a connection that does not finish the TLS handshake in time', async () => {
  const s = await quiet('127.0.0.2');
  await until(() => s.closed, 'the hub to drop the silent connection');
  await legitConnects();
});

it('refuses connections over the limit per address at once, while another address connects', async () => {
  const held = await Promise.all(Array.from({ length: 5 }, () => quiet('127.0.0.2')));
  const over = await Promise.all(Array.from({ length: 3 }, () => quiet('127.0.0.2')));
  await until(() => over.every((s) => s.closed), 'the connections over the limit to be refused');
  await legitConnects();
  expect(logs).toContain('refusing connections: 5 connections open from 127.0.0.2, the limit per address');
  // The deadline frees the address again; the refused ones had closed before any held one did.
  await until(() => held.every((s) => s.closed), 'the held connections to reach the handshake deadline');
  expect(Math.max(...over.map((s) => s.order))).toBeLessThan(Math.min(...held.map((s) => s.order)));
  await legitConnects();
});

it('refuses connections over the limit in total, and takes them again once some close', async () => {
  const a = await Promise.all(Array.from({ length: 5 }, () => quiet('127.0.0.2')));
  const b = await Promise.all(Array.from({ length: 3 }, () => quiet('127.0.0.3')));
  const over = await quiet('127.0.0.4');
  await until(() => over.closed, 'the connection over the total to be refused');
  await until(() => [...a, ...b].every((s) => s.closed), 'the handshake deadline');
  expect(over.order).toBeLessThan(Math.min(...[...a, ...b].map((s) => s.order)));
  await legitConnects();
  expect(logs.some((l) => /^refused \d+ connection\(s\) over the limits; taking connections again$/.test(l))).toBe(true);
});
