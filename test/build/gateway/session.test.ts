// What a hostile or broken client sends the gateway: each is closed with the reason in the log,
// and the gateway goes on serving everyone else. A device's will reaches IoT Hub, marked as a
// will, when it drops without DISCONNECT.
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../../support/wait.js';
import { gatewayRig, lanDevice, type Rig } from './rig.js';

let rig: Rig;
let secret: string;
const log: string[] = [];
beforeAll(async () => {
  rig = await gatewayRig({ log: (l) => log.push(l) });
  secret = rig.addDevice('h-1');
});
afterAll(() => rig.close());

/** Raw bytes to the gateway; resolves once it closes the socket. */
function closedAfter(bytes: Buffer): Promise<void> {
  return new Promise((done) => {
    const s = connect(rig.gw.port, '127.0.0.1', () => s.write(bytes));
    s.on('error', () => {});
    s.on('close', () => done());
  });
}

it('closes a client that sends garbage, a packet before CONNECT, or an oversized first packet', async () => {
  await closedAfter(Buffer.from([0xf0, 0x00]));
  await closedAfter(Buffer.from([0xc0, 0x00])); // PINGREQ before CONNECT
  await closedAfter(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f])); // a 256 MB CONNECT announced
  expect(log.join('\n')).not.toMatch(/internal error/);
  const d = lanDevice(rig.gw, 'h-1', { password: secret });
  expect(await d.connack()).toBe(0);
  d.end();
  await until(() => !rig.gw.connected('h-1'), 'h-1 to leave');
});

it('refuses MQTT 3.1 with CONNACK 1', async () => {
  const s = connect(rig.gw.port, '127.0.0.1');
  const got: Buffer[] = [];
  s.on('data', (b: Buffer) => got.push(b));
  s.on('error', () => {});
  // CONNECT, protocol MQIsdp level 3, client id "x".
  const body = Buffer.from([0x00, 0x06, ...Buffer.from('MQIsdp'), 0x03, 0x02, 0x00, 0x3c, 0x00, 0x01, 0x78]);
  s.write(Buffer.concat([Buffer.from([0x10, body.length]), body]));
  await until(() => got.length > 0, 'the CONNACK');
  expect([...Buffer.concat(got)]).toEqual([0x20, 0x02, 0x00, 0x01]);
  s.destroy();
});

it('closes a second CONNECT on an open session', async () => {
  const d = lanDevice(rig.gw, 'h-1', { password: secret });
  expect(await d.connack()).toBe(0);
  d.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'h-1', keepalive: 60 });
  await until(() => d.closed, 'the gateway to close the session');
  expect(log.join('\n')).toMatch(/second CONNECT/);
});

it("sends a dropped device's will to IoT Hub, marked as a will", async () => {
  const d = lanDevice(rig.gw, 'h-1', { password: secret, will: { topic: 't/state=gone', payload: Buffer.from('offline') } });
  expect(await d.connack()).toBe(0);
  await until(() => rig.hub.connected('h-1'), 'the upstream connection');
  d.end();
  await until(() => rig.telemetry.some((t) => t.body.toString() === 'offline'), 'the will at the hub');
  const will = rig.telemetry.find((t) => t.body.toString() === 'offline')!;
  expect(will.deviceId).toBe('h-1');
  expect({ ...will.props }).toEqual({ state: 'gone', 'iothub-MessageType': 'Will' });
});
