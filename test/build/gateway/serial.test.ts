// A board on a serial line: a pseudo-terminal pair made by socat, the gateway on one end
// (`serialport`), the test's raw MQTT device on the other. Telemetry with properties, C2D, a method
// and a desired property go through as over TCP, and after a DISCONNECT, or without one, the line
// takes the board's next CONNECT.
import type { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PtyPair, ptyPair, socat } from '../../support/ptyPair.js';
import { until } from '../../support/wait.js';
import { gatewayRig, lanDevice, type Rig } from './rig.js';

describe.skipIf(socat.missing)('a board on a serial line', () => {
  let rig: Rig;
  let pair: PtyPair;
  let board: SerialPort;
  let secret: string;

  beforeAll(async () => {
    pair = await ptyPair();
    board = pair.board;
    rig = await gatewayRig({ serial: [{ path: pair.gatewayEnd }] });
    secret = rig.addDevice('uart-1');
  });
  afterAll(async () => {
    await rig?.close();
    await pair?.close();
  });

  it('carries telemetry, C2D, a method and a desired property', async () => {
    const d = lanDevice(board, 'uart-1', { password: secret });
    expect(await d.connack()).toBe(0);
    await d.publish('t/src=uart', '{"v":1}');
    await until(() => rig.telemetry.length === 1, 'the telemetry at the hub');
    expect(rig.telemetry[0]!.deviceId).toBe('uart-1');
    expect(rig.telemetry[0]!.props.src).toBe('uart');

    expect(await d.subscribe(['c', 'd', 'm/#'], 2)).toEqual([2, 2, 2]);
    await until(() => rig.hub.connected('uart-1'), 'the upstream connection');
    rig.hub.sendC2d('uart-1', Buffer.from('over the wire'));
    // Granted QoS 2: delivered with QoS 2's four-packet exchange.
    const c2d = await d.next((p) => p.cmd === 'publish' && p.topic === 'c', 'the C2D message');
    expect((c2d as { qos: number }).qos).toBe(2);
    await d.next((p) => p.cmd === 'pubrel', 'PUBREL of the C2D message');

    const result = rig.hub.invoke('uart-1', 'ping', null, 10_000);
    const call = await d.next((p) => p.cmd === 'publish' && p.topic.startsWith('m/ping/'), 'the method call');
    await d.publish(`a/${(call as { topic: string }).topic.split('/')[2]}/200`, '"pong"');
    expect(await result).toEqual({ status: 200, payload: 'pong' });

    const reported = new Promise<{ patch: unknown }>((r) => rig.hub.once('reported', r));
    rig.hub.updateDesired('uart-1', { led: true });
    await d.next((p) => p.cmd === 'publish' && p.topic === 'd', 'the desired patch');
    await d.publish('r', '{"led":true}');
    expect((await reported).patch).toEqual({ led: true });

    d.send({ cmd: 'disconnect' });
    await until(() => !rig.gw.connected('uart-1'), 'the session to end');
  });

  it('takes the next CONNECT on the same line, and refuses a wrong secret there', async () => {
    const wrong = lanDevice(board, 'uart-1', { password: 'nope' });
    expect(await wrong.connack()).toBe(5);
    // The raw devices share the port: each listens to it, so the next one starts after this one.
    board.removeAllListeners('data');
    const again = lanDevice(board, 'uart-1', { password: secret });
    expect(await again.connack()).toBe(0);
    const before = rig.telemetry.length;
    await again.publish('t', 'second session');
    await until(() => rig.telemetry.length > before, 'telemetry of the second session');
    // A board that starts over without DISCONNECT (its side had nothing to close): that CONNECT
    // opens the next session at once.
    board.removeAllListeners('data');
    const restarted = lanDevice(board, 'uart-1', { password: secret });
    expect(await restarted.connack()).toBe(0);
    await restarted.publish('t', 'third session');
    await until(() => rig.telemetry.some((t) => t.body.toString() === 'third session'), 'telemetry of the third session');
  });
});
