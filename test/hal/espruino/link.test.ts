// The gateway-link HAL on a fake Espruino board: the MQTT client's socket is the serial device
// (a Puck's Bluetooth UART), opened at once, closed without touching the line; the console is moved
// off the link only when it is on it; and the firmware's MQTT client over it reaches the hub
// through a real tinyiot gateway: the fake UART's bytes piped to the gateway's TCP port, and over a
// pseudo-terminal pair (socat) to the gateway's serial side.
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../../firmware/mqtt/index.js';
import { createEspruinoLinkHal, espruinoIo, linkTransport, nativeCrypto } from '../../../hal/espruino/index.js';
import type { SocketHandlers } from '../../../hal/types.js';
import { fakeEspruino } from '../../support/espruino-fakes/index.js';
import { type PtyPair, ptyPair, socat } from '../../support/ptyPair.js';
import { until } from '../../support/wait.js';
import { gatewayRig, type Rig } from '../../build/gateway/rig.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const parts = { crypto: nativeCrypto, io: espruinoIo, log: quiet };

function recorder() {
  const ev: string[] = [];
  const h: SocketHandlers = {
    onOpen: () => ev.push('open'),
    onData: (b) => ev.push('data ' + Buffer.from(b).toString()),
    onClose: (r) => ev.push('close ' + r),
    onError: (m) => ev.push('error ' + m),
  };
  return { ev, h };
}

describe('linkTransport', () => {
  it('opens at once whatever the address, passes bytes both ways, and closes without the line', async () => {
    const b = fakeEspruino();
    b.serial.setup(9600); // the fake models a UART; Bluetooth itself takes no setup
    const t = linkTransport(b.env, b.serial, quiet);
    const { ev, h } = recorder();
    const s = t.connect({ host: 'ignored', port: 1, tls: true }, h);
    await until(() => ev.includes('open'), 'onOpen');
    b.serial.feed('hi');
    await until(() => ev.includes('data hi'), 'the bytes');
    s.write(Uint8Array.from([0x10, 0x00]));
    expect(b.serial.written).toBe('\x10\x00');
    s.close();
    await until(() => ev.includes('close closed'), 'onClose');
    b.serial.feed('late');
    // A new socket gets the line; the closed one hears nothing more.
    const next = recorder();
    t.connect({ host: 'x', port: 2, tls: false }, next.h);
    b.serial.feed('again');
    await until(() => next.ev.includes('data again'), 'bytes for the new socket');
    expect(ev.filter((e) => e.startsWith('data'))).toEqual(['data hi']);
  });

  it('moves the console off the link only when it is on it', () => {
    for (const [on, moved] of [['Bluetooth', true], ['USB', false]] as const) {
      const b = fakeEspruino();
      const calls: unknown[] = [];
      Object.assign(b.env.E!, { getConsole: () => on, setConsole: (...a: unknown[]) => calls.push(a) });
      createEspruinoLinkHal(b.env, { pins: { led1: 'D5' }, link: { serial: 'Bluetooth' } }, parts);
      expect(calls).toEqual(moved ? [['LoopbackA', { force: true }]] : []);
    }
  });
});

/** A board on the link HAL whose serial device's other end is `host` (the gateway's side). */
async function boardThrough(rig: Rig, id: string, host: Duplex): Promise<void> {
  const secret = rig.addDevice(id);
  const b = fakeEspruino();
  b.serial.setup(9600);
  b.serial.onWrite((s) => host.write(Buffer.from(s, 'latin1')));
  host.on('data', (d: Buffer) => b.serial.feed(d.toString('latin1')));
  const hal = createEspruinoLinkHal(b.env, { pins: { led1: 'D5' }, link: { serial: 'Bluetooth' } }, parts);
  const c = createClient(hal, { host: 'gateway', port: 0, tls: false, clientId: id, username: id, password: secret, clean: true });
  const got: string[] = [];
  c.on('message', (t, p) => got.push(`${t} ${Buffer.from(p).toString()}`));
  c.connect();
  await until(() => c.connected, 'CONNACK over the link');
  c.subscribe([{ topic: 'c', qos: 1 }]);
  c.publish('t/src=link', '{"v":1}', { qos: 1 });
  await until(() => rig.telemetry.some((t) => t.deviceId === id), 'the telemetry at the hub');
  expect(rig.telemetry.find((t) => t.deviceId === id)!.props.src).toBe('link');
  await until(() => rig.hub.connected(id), 'the upstream connection');
  rig.hub.sendC2d(id, Buffer.from('led on'));
  await until(() => got.includes('c led on'), 'the C2D message over the link');
  c.end();
}

describe('the MQTT client over the link, through tinyiot gateway', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await gatewayRig();
  });
  afterAll(() => rig.close());

  it('sends telemetry to the hub and gets a C2D message back (the link piped to the TCP port)', async () => {
    const host = connect(rig.gw.port, '127.0.0.1');
    await boardThrough(rig, 'puck-1', host);
    host.destroy();
  });
});

describe.skipIf(socat.missing)('the link over a pseudo-terminal pair to the gateway\'s serial side', () => {
  let pair: PtyPair;
  let rig: Rig;
  beforeAll(async () => {
    pair = await ptyPair();
    rig = await gatewayRig({ serial: [{ path: pair.gatewayEnd }] });
  });
  afterAll(async () => {
    await rig?.close();
    await pair?.close();
  });

  it('sends telemetry to the hub and gets a C2D message back', async () => {
    await boardThrough(rig, 'puck-2', pair.board);
  });
});
