// The integration helpers themselves: the hub's view of a virtual clock, connection strings that
// send the device to the local hub, bounded waits, and a hub restart on the same port and folder.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseConnectionString } from '../../firmware/iothub/connstr.js';
import { VirtualClock } from '../../hal/emulated/clock.js';
import { bounded, deviceConnectionString, hubClockOf, hubDevice, type LocalHub, localHub } from './hubDevice.js';

let h: LocalHub;
beforeAll(async () => {
  h = await localHub();
  h.hub.registry.add('s1');
});
afterAll(() => h.close());

it('gives the hub epoch milliseconds and timers of the same virtual clock', () => {
  const vc = new VirtualClock(1_700_000_000);
  const c = hubClockOf(vc);
  vc.advance(1500);
  expect(c.now()).toBe(1_700_000_001_500);
  expect(Math.floor(c.now() / 1000)).toBe(vc.time());
  const fired: string[] = [];
  c.setTimer(100, () => fired.push('a'));
  const b = c.setTimer(100, () => fired.push('b'));
  c.clearTimer(b);
  vc.advance(99);
  expect(fired).toEqual([]);
  vc.advance(1);
  expect(fired).toEqual(['a']);
});

it('points the connection string at the local hub, with the registered or a given key', () => {
  const cs = parseConnectionString(deviceConnectionString(h.hub, 's1'));
  expect(cs).toMatchObject({ hostName: h.hub.hubName, deviceId: 's1', gatewayHostName: '127.0.0.1', gatewayPort: h.hub.port });
  expect(cs.sharedAccessKey).toBe(h.hub.registry.get('s1')!.primaryKey);
  expect(parseConnectionString(deviceConnectionString(h.hub, 's1', 'AAAA')).sharedAccessKey).toBe('AAAA');
  expect(() => deviceConnectionString(h.hub, 'nobody')).toThrow("device 'nobody' is not registered");
});

it('turns a hang into a clear failure, and passes a result through', async () => {
  await expect(bounded(new Promise(() => {}), 'nothing', 20)).rejects.toThrow('timed out after 20 ms waiting for nothing');
  expect(await bounded(Promise.resolve(7), 'seven')).toBe(7);
});

it('restarts the hub on the same port and data folder, and a device connects again', async () => {
  const d = hubDevice(h.hub, 's1', { limits: { backoffMin: 20, backoffMax: 100 } });
  try {
    await d.connected(1);
    const port = h.hub.port;
    await h.stop();
    const again = await h.start();
    expect(again.port).toBe(port);
    await d.connected(2);
    expect(again.connected('s1')).toBe(true);
    await expect(h.start()).rejects.toThrow('the hub is running already');
  } finally {
    d.end();
  }
});
