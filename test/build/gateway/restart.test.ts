// The durable store across outages: messages PUBACKed while the hub is down, or in flight when it
// stops, all reach it in order once it is back; the same across a gateway restart; a device whose
// store is full is told so and its message is not acknowledged.
import { afterEach, expect, it } from 'vitest';
import { until } from '../../support/wait.js';
import { gatewayRig, lanDevice, type Rig } from './rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const bodies = (r: Rig, id: string) => r.telemetry.filter((t) => t.deviceId === id).map((t) => t.body.toString());
const numbered = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `m${from + i}`);

it('loses nothing across a hub restart with messages in flight, and delivers in order', async () => {
  rig = await gatewayRig();
  const secret = rig.addDevice('keep-1');
  const d = lanDevice(rig.gw, 'keep-1', { password: secret });
  expect(await d.connack()).toBe(0);
  await until(() => rig!.hub.connected('keep-1'), 'the upstream connection');
  // Sent without waiting, so some are in flight upstream when the hub stops.
  const first = numbered(30).map((b) => d.publish('t', b));
  const stopping = rig.stopHub();
  await Promise.all(first);
  await stopping;
  // Acknowledged to the device while the hub is away: stored on disk.
  for (const b of numbered(30, 30)) await d.publish('t', b);
  await rig.startHub();
  await until(() => new Set(bodies(rig!, 'keep-1')).size === 60, 'all 60 messages at the hub', 20_000);
  const seen = bodies(rig, 'keep-1');
  // At least once: a message in flight when the hub stopped may come twice, never out of order.
  const firstSeen = [...new Set(seen)];
  expect(firstSeen).toEqual(numbered(60));
  expect(rig.gw.journal.pending('keep-1')).toEqual([]);
});

it('keeps stored messages across a gateway restart and sends them without the device', async () => {
  rig = await gatewayRig();
  const secret = rig.addDevice('keep-2');
  const d = lanDevice(rig.gw, 'keep-2', { password: secret });
  expect(await d.connack()).toBe(0);
  await rig.stopHub();
  for (const b of numbered(10)) await d.publish('t/n=1', b);
  d.end();
  await rig.restartGateway();
  expect(rig.gw.journal.pending('keep-2').map((m) => m.body.toString())).toEqual(numbered(10));
  await rig.startHub();
  await until(() => bodies(rig!, 'keep-2').length >= 10, 'the stored messages at the hub', 20_000);
  expect([...new Set(bodies(rig, 'keep-2'))]).toEqual(numbered(10));
  expect(rig.telemetry.find((t) => t.deviceId === 'keep-2')!.props.n).toBe('1');
});

it('tells a device when its store is full and does not acknowledge the message', async () => {
  rig = await gatewayRig({ journal: { maxMessagesPerDevice: 3 } });
  const secret = rig.addDevice('full-store');
  const d = lanDevice(rig.gw, 'full-store', { password: secret });
  expect(await d.connack()).toBe(0);
  await d.subscribe(['$gateway/status']);
  await rig.stopHub();
  for (const b of numbered(3)) await d.publish('t', b);
  d.send({ cmd: 'publish', topic: 't', payload: Buffer.from('one too many'), qos: 1, messageId: 999, retain: false, dup: false });
  const status = await d.next((p) => p.cmd === 'publish' && p.topic === '$gateway/status', 'the status message');
  expect((status as { payload: Buffer }).payload.toString()).toMatch(/store full/);
  expect(d.packets.some((p) => p.cmd === 'puback' && p.messageId === 999)).toBe(false);
  expect(rig.gw.journal.pending('full-store')).toHaveLength(3);
  await rig.startHub();
  await until(() => bodies(rig!, 'full-store').length >= 3, 'the stored messages after the hub is back', 20_000);
});
